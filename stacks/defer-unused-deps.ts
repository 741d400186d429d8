/**
 * cdktf's entry module loads two libraries at start-up that our synth never calls:
 * - `archiver` (~43 ms, ~60 modules): zips a `TerraformAsset` of type ARCHIVE; we create none
 *   (rotation code is zipped by the archive provider's data source, at plan time);
 * - `semver` (~9 ms): checks a binary's version for `ValidateBinaryVersion`, which we never add.
 * Both are loaded whenever `cdktf` is, which every provider class does, so every synth paid
 * ~50 ms for nothing. This module, imported first by main.ts, puts a stand-in for each into
 * Node's module cache under the exact path cdktf resolves; the real library is loaded on its
 * first use, so an app that does create an archive asset still works (a unit test proves it).
 *
 * `npm run synth` bundles cdktf into one file; scripts/run-ts.mjs keeps these two requires
 * external there, so the same stand-ins serve them. If cdktf cannot be resolved from here (a
 * different layout), this does nothing and cdktf loads as it always did.
 */
import Module = require('node:module');
import * as path from 'node:path';

import deferred from './deferred-deps.json';

/**
 * Libraries cdktf requires eagerly, and how each is used: called, or read for a property. The
 * list lives in deferred-deps.json because scripts/run-ts.mjs reads it too.
 */
export const DEFERRED = deferred as Readonly<Record<string, 'function' | 'namespace'>>;

type Cache = Record<string, NodeJS.Module | undefined>;

/** Installs the stand-ins; returns the absolute paths it deferred (empty when cdktf is absent). */
export function deferUnusedCdktfDeps(req: NodeJS.Require = require): string[] {
  let cdktfLib: string;
  try {
    cdktfLib = path.dirname(req.resolve('cdktf'));
  } catch {
    return [];
  }
  const cache = req.cache as Cache;
  const deferred: string[] = [];
  for (const [name, shape] of Object.entries(DEFERRED)) {
    let file: string;
    try {
      file = req.resolve(name, { paths: [cdktfLib] });
    } catch {
      continue;
    }
    if (cache[file]) continue; // already loaded for real: nothing to save
    const standIn = new Module(file) as NodeJS.Module & { filename: string; loaded: boolean };
    standIn.filename = file;
    standIn.loaded = true;
    let real: unknown;
    const load = (): any => {
      if (real === undefined) {
        delete cache[file];
        try {
          real = req(file);
        } finally {
          cache[file] = standIn;
        }
      }
      return real;
    };
    standIn.exports =
      shape === 'function'
        ? (...args: unknown[]) => load()(...args)
        : new Proxy({}, { get: (_t, key) => load()[key], has: (_t, key) => key in load(), ownKeys: () => Reflect.ownKeys(load()), getOwnPropertyDescriptor: (_t, key) => {
              const d = Reflect.getOwnPropertyDescriptor(load(), key);
              return d && { ...d, configurable: true };
            } });
    cache[file] = standIn;
    deferred.push(file);
  }
  return deferred;
}

deferUnusedCdktfDeps();
