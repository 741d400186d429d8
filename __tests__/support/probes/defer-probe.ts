// Run by __tests__/stacks/defer-unused-deps.test.ts through scripts/run-ts.mjs, plain and with
// --bundle-deps (as `npm run synth` runs): proves cdktf starts without loading the deferred
// libraries, and that the stand-ins hand over to the real ones when something does call them.
import '../../../stacks/defer-unused-deps';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { deferUnusedCdktfDeps } from '../../../stacks/defer-unused-deps';

const loaded = (re: RegExp) => Object.keys(require.cache).some((k) => re.test(k));
const realArchiverLoaded = () => loaded(/[\\/]archiver-utils[\\/]/);
const realSemverLoaded = () => loaded(/[\\/]semver[\\/](classes|functions|ranges)[\\/]/);

new TerraformStack(new App({ outdir: mkdtempSync(path.join(os.tmpdir(), 'defer-probe-out-')) }), 'probe');
const before = { archiver: realArchiverLoaded(), semver: realSemverLoaded() };
const again = deferUnusedCdktfDeps(); // everything already deferred: nothing new

// What cdktf itself gets when it requires them: the cache entries under the paths it resolves.
const req = require; // not `require.resolve(...)` literally: esbuild would try to bundle the name
const fromCdktf = (name: string) => req(req.resolve(name, { paths: [path.dirname(req.resolve('cdktf'))] }));
const satisfies = fromCdktf('semver').satisfies('1.11.4', '>= 1.11.0') as boolean;
const work = mkdtempSync(path.join(os.tmpdir(), 'defer-probe-'));
writeFileSync(path.join(work, 'hello.txt'), 'hello\n');
const zip = path.join(work, 'out.zip');
const archive = fromCdktf('archiver')('zip', { zlib: { level: 9 } });
const out = createWriteStream(zip);
out.on('close', () => {
  const bytes = readFileSync(zip);
  process.stdout.write(JSON.stringify({ before, after: { archiver: realArchiverLoaded(), semver: realSemverLoaded() }, again, satisfies, zipMagic: bytes.subarray(0, 2).toString('latin1'), zipHasFile: bytes.includes('hello.txt') }));
});
archive.pipe(out);
archive.file(path.join(work, 'hello.txt'), { name: 'hello.txt' });
void archive.finalize();
