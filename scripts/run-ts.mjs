#!/usr/bin/env node
// Runs a TypeScript entry point without ts-node: esbuild transpiles it (and the project files it
// imports) into one CommonJS file in ~50 ms, leaving node_modules external, then Node runs it.
// ts-node type-checks on every start and costs seconds; type checking is `npm run typecheck`.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
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
await build({
  entryPoints: [path.resolve(entry)],
  outfile,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...rest];
createRequire(import.meta.url)(outfile);
