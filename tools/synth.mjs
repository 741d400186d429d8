#!/usr/bin/env node
// `npm run synth` and cdktf.json's `app`: synthesizes every stack into cdktf.out without the
// cdktf CLI's own ~3.5 s start-up. Same output as `npx cdktf synth`.
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.argv.splice(2, 0, '--bundle-deps', path.join(root, 'main.ts'));
await import('./run-ts.mjs');
