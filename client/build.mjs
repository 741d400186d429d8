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

export async function buildClient(outdir = join(here, 'dist'), minify = false) {
  return build({
    entryPoints: ['index', 'pg', 'mysql'].map((n) => join(here, 'src', `${n}.ts`)),
    outdir,
    plugins: [shareIndex],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/client-secrets-manager', 'pg', 'mysql2', 'mysql2/promise'],
    minify,
    sourcemap: false,
    metafile: true,
    logLevel: 'error',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await buildClient();
  for (const [file, o] of Object.entries(r.metafile.outputs)) console.log(`${file}: ${o.bytes} bytes`);
}
