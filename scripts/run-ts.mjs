#!/usr/bin/env node
// Runs a TypeScript entry point without ts-node: esbuild transpiles it (and the project files it
// imports) into one CommonJS file, leaving node_modules external, then Node runs it. ts-node
// type-checks on every start and costs seconds; type checking is `npm run typecheck`.
// The transpiled file is reused while none of its inputs (nor package-lock.json) has changed,
// which saves esbuild's ~300 ms on every `npm run synth`.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outdir = path.join(root, '.build', 'run');
mkdirSync(outdir, { recursive: true });
const outfile = path.join(outdir, path.basename(entry).replace(/\.ts$/, '') + '.cjs');
const stampFile = `${outfile}.inputs.json`;

/** Input files with their size and mtime: the cache key. */
const stamp = (files) => files.map((f) => {
  const s = statSync(path.resolve(root, f), { throwIfNoEntry: false });
  return [f, s ? `${s.size}:${s.mtimeMs}` : 'missing'];
});

function upToDate() {
  if (!existsSync(outfile) || !existsSync(stampFile)) return false;
  try {
    const saved = JSON.parse(readFileSync(stampFile, 'utf8'));
    return saved.entry === path.resolve(entry) && JSON.stringify(stamp(saved.inputs)) === JSON.stringify(saved.stamp);
  } catch {
    return false;
  }
}

if (!upToDate()) {
  // Loaded only when a rebuild is due: importing esbuild is itself measurable on every run.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.resolve(entry)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    logLevel: 'warning',
    absWorkingDir: root,
    metafile: true,
  });
  const inputs = [...Object.keys(result.metafile.inputs), 'package-lock.json'];
  writeFileSync(stampFile, JSON.stringify({ entry: path.resolve(entry), inputs, stamp: stamp(inputs) }));
}
process.argv = [process.argv[0], outfile, ...rest];
createRequire(import.meta.url)(outfile);
