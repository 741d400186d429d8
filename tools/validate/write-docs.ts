/** Writes docs/validation.md (run after `npm run synth`): node tools/run-ts.mjs tools/validate/write-docs.ts */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateFromRepo, PAGE } from './docs';
import { ROOT } from './terraform';

writeFileSync(PAGE, generateFromRepo());
console.log(`wrote ${path.relative(ROOT, PAGE)}`);
