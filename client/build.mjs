// Bundles client/src into client/dist with esbuild: one CommonJS file per entry point (index,
// pg, mysql), the shared code split into each, dependencies (AWS SDK, pg, mysql2) left as
// imports so the app's own pinned copies are used. `node client/build.mjs` (npm run build:client).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// pg.js and mysql.js load the shared code from index.js instead of carrying copies of it, so
// there is one SecretCache and one SecretsClientError class per app.
const shareIndex = {
  name: 'share-index',
  setup(b) {
    b.onResolve({ filter: /^\.\/(cache|credentials|util)$/ }, (args) =>
      /[\\/](pg|mysql)\.ts$/.test(args.importer) ? { path: './index.js', external: true } : undefined,
    );
  },
};

/** `bundleSdk`: also bundle the AWS SDK (what an app that bundles its dependencies ships). */
export async function buildClient(outdir = join(here, 'dist'), minify = false, bundleSdk = false) {
  return build({
    entryPoints: ['index', 'pg', 'mysql'].map((n) => join(here, 'src', `${n}.ts`)),
    outdir,
    plugins: [shareIndex],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...(bundleSdk ? [] : ['@aws-sdk/client-secrets-manager']), 'pg', 'mysql2', 'mysql2/promise'],
    minify,
    sourcemap: false,
    metafile: true,
    logLevel: 'error',
  });
}

// node client/build.mjs [--outdir DIR] [--minify] [--bundle-sdk] [--json]
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const r = await buildClient(at >= 0 ? args[at + 1] : undefined, args.includes('--minify'), args.includes('--bundle-sdk'));
  const sizes = Object.fromEntries(Object.entries(r.metafile.outputs).map(([file, o]) => [file, o.bytes]));
  const inputs = Object.values(r.metafile.inputs).reduce((n, i) => n + i.bytes, 0);
  if (args.includes('--json')) console.log(JSON.stringify({ sizes, inputs }));
  else for (const [file, bytes] of Object.entries(sizes)) console.log(`${file}: ${bytes} bytes`);
}
