/**
 * `npm run compat:cdktn`: proves the same app runs on CDK Terrain (cdktn), the fork of the archived
 * CDK for Terraform, and says exactly what changes in its output.
 *
 *  1. installs tools/cdktn's own locked tree (cdktn, cdktn-cli, @cdktn/provider-*, constructs,
 *     Node 22) and fails if anything of the fork reaches the root tree;
 *  2. type-checks the unchanged sources against cdktn's types (tools/cdktn/tsconfig.json);
 *  3. bundles main.ts twice with esbuild: as is (cdktf) and with every framework import mapped to
 *     cdktn (tools/cdktn/bundle.ts); lists the provider binding changes for the types it uses;
 *  4. synthesizes every stack with each into .build/compat/{cdktf,cdktn}.out, and through
 *     `cdktn synth`, which must write the same bytes as the app run alone;
 *  5. compares every file after normalising only the version strings that must differ (NORMALISE)
 *     and fails on any difference not explained in tools/cdktn/differences.json, and on any
 *     entry there that no longer matches anything, so the list stays true; Terraform itself
 *     (`terraform providers`) must read the same providers from both;
 *  6. runs the unit tests that synthesize with cdktn in place of cdktf, on Node 22
 *     (tools/cdktn/jest.config.js).
 *
 * Flags: --no-tests skips step 6 (for quick iteration; CI runs everything).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { diffShapes, readShape } from './binding-diff';
import { bundleApp, CDKTN_CLI, CDKTN_NODE, cdktnEnv, COMPAT_DIR, ensureCdktnInstalled, ROOT } from './bundle';
import { diff, type Difference, explain, type Explained, globToRegExp, type Json, normalise, type Pattern, type Segment } from './compare';

const OUT = path.join(ROOT, '.build', 'compat');
const started = Date.now();
const log = (s: string) => console.log(`compat:cdktn: ${s}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * What must differ between the two frameworks and is replaced before comparing. Kept to version
 * strings: everything else (construct paths, logical IDs, metadata) is compared, because a
 * changed logical ID is a changed Terraform address, i.e. a destroy and re-create.
 */
const NORMALISE: Array<{ file: string; path: Pattern; why: string }> = [
  { file: 'manifest.json', path: ['version'], why: 'the framework version that wrote the manifest' },
  { file: 'stacks/*/cdk.tf.json', path: ['//', 'metadata', 'version'], why: 'the framework version stamped in each stack' },
  {
    file: 'stacks/*/cdk.tf.json',
    path: ['terraform', 'required_providers', '*', 'version'],
    why: 'each provider binding pins the provider version it was generated from',
  },
];

function walk(dir: string, base = dir, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, base, out);
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

/** Runs `command args` with CDKTF_OUTDIR=outdir (the app honours it; so do both CLIs' --output). */
function synthWith(what: string, command: string, args: string[], outdir: string, env: NodeJS.ProcessEnv): number {
  rmSync(outdir, { recursive: true, force: true });
  const t0 = Date.now();
  const r = spawnSync(command, args, { cwd: ROOT, env: { ...env, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth with ${what} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  if (!existsSync(path.join(outdir, 'manifest.json'))) throw new Error(`synth with ${what} wrote no manifest.json into ${outdir}`);
  return Date.now() - t0;
}

/** Files that differ (or exist on one side only) between two outdirs, byte for byte. */
function differingFiles(a: string, b: string): string[] {
  const left = walk(a);
  const right = walk(b);
  return [...new Set([...left, ...right])].filter(
    (f) => !left.includes(f) || !right.includes(f) || !readFileSync(path.join(a, f)).equals(readFileSync(path.join(b, f))),
  );
}

const show = (v: Json | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 160));
const where = (d: { file: string; path: Segment[] }) => `${d.file} ${d.path.map(String).join(' › ')}`;

/** Compares the two outdirs; returns the differences left after normalising, and what normalising replaced. */
function compare(cdktfOut: string, cdktnOut: string): { diffs: Difference[]; normalised: Map<string, Set<string>>; files: number } {
  const left = walk(cdktfOut);
  const right = walk(cdktnOut);
  const diffs: Difference[] = [];
  const normalised = new Map<string, Set<string>>();
  for (const f of [...new Set([...left, ...right])].sort()) {
    const inA = left.includes(f);
    const inB = right.includes(f);
    if (!inA || !inB) {
      diffs.push({ file: f, path: [], cdktf: inA ? '(file)' : undefined, cdktn: inB ? '(file)' : undefined });
      continue;
    }
    const ta = readFileSync(path.join(cdktfOut, f), 'utf8');
    const tb = readFileSync(path.join(cdktnOut, f), 'utf8');
    if (!f.endsWith('.json')) {
      if (ta !== tb) diffs.push({ file: f, path: [], cdktf: `${ta.length} bytes`, cdktn: `${tb.length} bytes` });
      continue;
    }
    const a = JSON.parse(ta) as Json;
    const b = JSON.parse(tb) as Json;
    for (const n of NORMALISE.filter((x) => globToRegExp(x.file).test(f))) {
      const fa = normalise(a, n.path);
      const fb = normalise(b, n.path);
      for (const [p, v] of fa) {
        const other = fb.find(([q]) => JSON.stringify(q) === JSON.stringify(p));
        const key = `${n.file} ${p.map(String).join(' › ')} (${n.why})`;
        if (!normalised.has(key)) normalised.set(key, new Set());
        normalised.get(key)!.add(`${show(v)} → ${show(other?.[1])}`);
      }
    }
    diff(f, a, b, [], diffs);
  }
  return { diffs, normalised, files: left.length };
}

function runTests(): { ran: number; passed: number; failed: number; skipped: number; ms: number } {
  const report = path.join(OUT, 'jest-cdktn.json');
  rmSync(report, { force: true });
  const t0 = Date.now();
  const r = spawnSync(
    CDKTN_NODE,
    [
      path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'),
      '-c',
      path.join(COMPAT_DIR, 'jest.config.js'),
      '--json',
      `--outputFile=${report}`,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: cdktnEnv(),
    },
  );
  const ms = Date.now() - t0;
  if (!existsSync(report)) throw new Error(`jest (cdktn) wrote no report; exit ${r.status}`);
  const j = JSON.parse(readFileSync(report, 'utf8')) as {
    numTotalTests: number;
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numFailedTestSuites: number;
    numRuntimeErrorTestSuites: number;
  };
  return {
    ran: j.numTotalTests,
    passed: j.numPassedTests,
    failed: j.numFailedTests + j.numRuntimeErrorTestSuites + j.numFailedTestSuites,
    skipped: j.numPendingTests,
    ms,
  };
}

/**
 * The provider addresses Terraform itself reads from a stack (`terraform providers`, which needs
 * no download; the backend block is left out so no init is needed). Null when Terraform is absent.
 */
function providerAddresses(stackFile: string): string[] | null {
  const which = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  if (which.error) return null;
  const doc = JSON.parse(readFileSync(stackFile, 'utf8')) as { terraform?: { backend?: unknown } };
  delete doc.terraform?.backend;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'compat-providers-'));
  try {
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(doc));
    const r = spawnSync('terraform', ['providers', '-no-color'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null', CHECKPOINT_DISABLE: '1' },
    });
    if (r.status !== 0) throw new Error(`terraform providers failed on ${stackFile}:\n${r.stderr}`);
    return [...r.stdout.matchAll(/provider\[([^\]]+)\]/g)].map((m) => m[1]).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const withTests = !process.argv.includes('--no-tests');
  mkdirSync(OUT, { recursive: true });
  const rootLock = () =>
    createHash('sha256')
      .update(readFileSync(path.join(ROOT, 'package-lock.json')))
      .digest('hex');
  const lockBefore = rootLock();
  const install = ensureCdktnInstalled(log);
  if (install.installed) log(`installed in ${seconds(install.ms)}`);
  // The user's tree stays as chosen: same lock file, and no fork package reachable from the root.
  const leakedIntoRoot = ['cdktn', 'cdktn-cli', '@cdktn'].filter((p) => existsSync(path.join(ROOT, 'node_modules', p)));
  if (rootLock() !== lockBefore || leakedIntoRoot.length > 0)
    throw new Error(
      `the root dependency tree changed (package-lock.json or node_modules/${leakedIntoRoot.join(', ')}); cdktn belongs in tools/cdktn only`,
    );

  const tsc = spawnSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', path.join(COMPAT_DIR, 'tsconfig.json')],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (tsc.status !== 0) throw new Error(`the sources do not type-check against cdktn's bindings:\n${tsc.stdout}${tsc.stderr}`);
  log('sources type-check against cdktn 0.24 and the @cdktn provider bindings');

  const cdktfBundle = path.join(OUT, 'main-cdktf.cjs');
  const cdktnBundle = path.join(OUT, 'main-cdktn.cjs');
  await bundleApp('main.ts', cdktfBundle, 'cdktf');
  const aliases = await bundleApp('main.ts', cdktnBundle, 'cdktn');
  const specs = [...new Set(aliases.map(([s]) => s))];
  log(
    `mapped ${specs.length} distinct framework imports to cdktn (${specs.filter((s) => s.includes('/lib/')).length} provider deep paths)`,
  );

  // The provider upgrade, type by type, for the types the app imports (informational: a change
  // that breaks the app fails the type-check above; the rest is what to read in the first plan).
  const rootRequire = createRequire(path.join(ROOT, 'package.json'));
  const bindingLines: string[] = [];
  for (const [spec, cdktnFile] of [...new Map(aliases)].sort()) {
    if (!spec.includes('/lib/')) continue;
    const changes = diffShapes(
      readShape(rootRequire.resolve(spec).replace(/\.js$/, '.d.ts')),
      readShape(path.join(ROOT, cdktnFile).replace(/\.js$/, '.d.ts')),
    );
    bindingLines.push(
      `## ${spec.replace(/^@cdktf\//, '')}: ${changes.length === 0 ? 'no change' : `${changes.length} change(s)`}`,
      ...changes.map((c) => `- ${c}`),
    );
  }
  writeFileSync(path.join(OUT, 'bindings.md'), `${bindingLines.join('\n')}\n`);
  log(
    `binding changes for the ${bindingLines.filter((l) => l.startsWith('## ')).length} provider types the app uses: .build/compat/bindings.md (${bindingLines.filter((l) => l.startsWith('- ')).length} lines)`,
  );

  // Both outdirs sit at the same depth: stacks refer to the Lambda bundles by relative path.
  const cdktfOut = path.join(OUT, 'cdktf.out');
  const cdktnOut = path.join(OUT, 'cdktn.out');
  const msCdktf = synthWith('cdktf', process.execPath, [cdktfBundle], cdktfOut, process.env);
  const msCdktn = synthWith('cdktn', CDKTN_NODE, [cdktnBundle], cdktnOut, cdktnEnv());
  const stacks = readdirSync(path.join(cdktnOut, 'stacks')).sort();
  const manifest = JSON.parse(readFileSync(path.join(cdktnOut, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
  const missing = Object.keys(manifest.stacks).filter((s) => !stacks.includes(s));
  if (missing.length > 0) throw new Error(`cdktn's manifest names stacks it did not write: ${missing.join(', ')}`);
  const nodeCdktn = spawnSync(CDKTN_NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(
    `synthesized ${stacks.length} stacks with each framework (cdktf on Node ${process.version}: ${seconds(msCdktf)}; cdktn on Node ${nodeCdktn}: ${seconds(msCdktn)}): ${stacks.join(', ')}`,
  );

  // What users type: `cdktn synth` runs the app through cdktf.json's contract (CDKTF_OUTDIR,
  // context) and must write exactly what the app writes alone.
  const cliOut = path.join(OUT, 'cdktn-cli.out');
  const msCli = synthWith(
    'cdktn-cli synth',
    CDKTN_CLI,
    ['synth', '--app', `${JSON.stringify(CDKTN_NODE)} ${JSON.stringify(cdktnBundle)}`, '--output', cliOut],
    cliOut,
    cdktnEnv(),
  );
  const cliDiffers = differingFiles(cdktnOut, cliOut);
  if (cliDiffers.length > 0) throw new Error(`\`cdktn synth\` wrote something else than the app alone: ${cliDiffers.join(', ')}`);
  log(`\`cdktn synth\` (cdktn-cli 0.24) writes the same bytes as the app alone (${seconds(msCli)})`);

  const { diffs, normalised, files } = compare(cdktfOut, cdktnOut);
  log(`compared ${files} files; normalised before comparing:`);
  for (const [p, values] of normalised) log(`  ${p}: ${[...values].join('; ')}`);

  // The provider source is written differently; prove with Terraform that it names the same provider.
  const addresses = stacks.map(
    (st) =>
      [
        st,
        providerAddresses(path.join(cdktfOut, 'stacks', st, 'cdk.tf.json')),
        providerAddresses(path.join(cdktnOut, 'stacks', st, 'cdk.tf.json')),
      ] as const,
  );
  if (addresses.some(([, a]) => a === null)) log('terraform is not installed: provider addresses not checked with Terraform');
  else {
    const differ = addresses.filter(([, a, b]) => JSON.stringify(a) !== JSON.stringify(b));
    if (differ.length > 0)
      throw new Error(
        `Terraform reads other providers from the cdktn output: ${differ.map(([st, a, b]) => `${st}: ${a!.join(', ')} | ${b!.join(', ')}`).join('; ')}`,
      );
    log(
      `terraform providers: the same provider addresses in all ${stacks.length} stacks (${[...new Set(addresses.flatMap(([, a]) => a!))].join(', ')})`,
    );
  }

  const listFile = path.join(COMPAT_DIR, 'differences.json');
  const list = (JSON.parse(readFileSync(listFile, 'utf8')) as { differences: Explained[] }).differences;
  for (const e of list)
    if (!e.reason || e.reason.trim().length < 20)
      throw new Error(`tools/cdktn/differences.json: the entry for ${e.file} ${e.path.join(' › ')} needs a reason`);
  const { unexplained, unused, used } = explain(diffs, list);
  for (const [e, n] of used) log(`  explained (${n}x) ${e.file} ${e.path.join(' › ')}: ${e.reason}`);

  let failed = false;
  if (unexplained.length > 0) {
    failed = true;
    console.error(
      `compat:cdktn: ${unexplained.length} difference(s) between the cdktf and cdktn output are not explained in tools/cdktn/differences.json:`,
    );
    for (const d of unexplained.slice(0, 50)) console.error(`  ${where(d)}: cdktf ${show(d.cdktf)} | cdktn ${show(d.cdktn)}`);
    if (unexplained.length > 50) console.error(`  ... and ${unexplained.length - 50} more`);
    console.error(
      'fix: find out why the fork writes something else; if it is harmless, add an entry {file, path, cdktf, cdktn, reason} there; otherwise fix the app.',
    );
  }
  if (unused.length > 0) {
    failed = true;
    console.error(
      'compat:cdktn: entries in tools/cdktn/differences.json match no difference any more; remove them so the list stays true:',
    );
    for (const e of unused) console.error(`  ${e.file} ${e.path.join(' › ')}`);
  }

  let tests: ReturnType<typeof runTests> | undefined;
  if (withTests) {
    tests = runTests();
    log(
      `unit tests on cdktn: ${tests.ran} ran, ${tests.passed} passed, ${tests.failed} failed, ${tests.skipped} skipped (${seconds(tests.ms)})`,
    );
    if (tests.ran === 0 || tests.failed > 0 || tests.skipped > 0) failed = true;
  }

  const summary = {
    date: new Date().toISOString(),
    stacks,
    files,
    normalised: Object.fromEntries([...normalised].map(([k, v]) => [k, [...v]])),
    explained: [...used].map(([e, n]) => ({ file: e.file, path: e.path, count: n })),
    unexplained: unexplained.length,
    staleEntries: unused.length,
    tests,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(path.join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  log(`${failed ? 'FAILED' : 'ok'} in ${seconds(Date.now() - started)}`);
  if (failed) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(`compat:cdktn: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
