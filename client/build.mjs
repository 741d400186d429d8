// Builds the package into client/dist: for each entry point (index, pg, mysql) an ESM file
// (dist/esm, "type": "module") and a CommonJS file (dist/cjs), each with its declaration files
// (tsc with client/tsconfig.json, relative specifiers written with `.js` so they resolve under
// node10, node16/nodenext and bundler alike). pg.js and mysql.js load the shared code from
// index.js instead of carrying copies of it, so there is one SecretCache class per module
// system. Dependencies (AWS SDK, rds-signer, pg, mysql2) stay imports, so the app's own copies
// are used. `node client/build.mjs` (npm run build:client; `npm pack` in client/ runs it).
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ENTRIES = ['index', 'pg', 'mysql'];
const EXTERNAL = ['@aws-sdk/client-secrets-manager', '@aws-sdk/rds-signer', 'pg', 'mysql2', 'mysql2/promise'];

const shareIndex = {
  name: 'share-index',
  setup(b) {
    b.onResolve({ filter: /^\.\/(cache|credentials|util|pool-set)$/ }, (args) =>
      /[\\/](pg|mysql)\.ts$/.test(args.importer) ? { path: './index.js', external: true } : undefined,
    );
  },
};

/** Declaration files, once, with relative specifiers ending in `.js`. */
function declarations(outdirs) {
  const tmp = join(here, '..', '.build', 'client-types');
  rmSync(tmp, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(here, 'tsconfig.json'), '--outDir', tmp], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc (client declarations) failed:\n${r.stdout}${r.stderr}`);
  for (const f of readdirSync(tmp)) {
    const text = readFileSync(join(tmp, f), 'utf8').replace(
      /(from '|import\(')(\.\.?\/[^']+?)(')/g,
      (_m, a, spec, b) => `${a}${spec.endsWith('.js') ? spec : `${spec}.js`}${b}`,
    );
    for (const d of outdirs) writeFileSync(join(d, f), text);
  }
}

/**
 * `formats`: which module systems to build; `types`: also write declaration files; `bundleSdk`:
 * bundle the AWS SDK too (what an app that bundles its dependencies ships; for the bench).
 */
export async function buildClient({
  outdir = join(here, 'dist'),
  minify = false,
  bundleSdk = false,
  formats = ['cjs', 'esm'],
  types = true,
} = {}) {
  rmSync(outdir, { recursive: true, force: true });
  const results = {};
  for (const format of formats) {
    const dir = join(outdir, format);
    mkdirSync(dir, { recursive: true });
    results[format] = await build({
      entryPoints: ENTRIES.map((n) => join(here, 'src', `${n}.ts`)),
      outdir: dir,
      plugins: [shareIndex],
      bundle: true,
      platform: 'node',
      target: 'node20',
      format,
      external: bundleSdk ? EXTERNAL.filter((x) => x !== '@aws-sdk/client-secrets-manager') : EXTERNAL,
      minify,
      sourcemap: false,
      metafile: true,
      logLevel: 'error',
    });
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' })}\n`);
  }
  if (types) declarations(formats.map((f) => join(outdir, f)));
  return results;
}

// node client/build.mjs [--outdir DIR] [--minify] [--bundle-sdk] [--cjs-only] [--no-types] [--json | --quiet]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const cjsOnly = args.includes('--cjs-only');
  const r = await buildClient({
    outdir: at >= 0 ? args[at + 1] : undefined,
    minify: args.includes('--minify'),
    bundleSdk: args.includes('--bundle-sdk'),
    formats: cjsOnly ? ['cjs'] : ['cjs', 'esm'],
    types: !cjsOnly && !args.includes('--no-types'),
  });
  const sizes = Object.fromEntries(Object.entries(r.cjs.metafile.outputs).map(([file, o]) => [file, o.bytes]));
  const inputs = Object.values(r.cjs.metafile.inputs).reduce((n, i) => n + i.bytes, 0);
  if (args.includes('--json')) console.log(JSON.stringify({ sizes, inputs }));
  else if (!args.includes('--quiet'))
    for (const [format, res] of Object.entries(r))
      for (const [file, o] of Object.entries(res.metafile.outputs)) console.log(`${format} ${file}: ${o.bytes} bytes`);
}
