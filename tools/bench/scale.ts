/** Child process of the bench: synthesizes one scaled environment and reports timings as JSON. */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { scaledEnvironment } from './catalog';
import { production } from '../../catalogs/production';
import { synthApp } from '../../app/app';
import { planEnvironment } from '../../plan/plan';
import { policySize } from '../../plan/policy';

const count = Number(process.argv[2] ?? '10');
const env = scaledEnvironment(count, production);
const outdir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
const t0 = performance.now();
synthApp([env], { outdir, inventory: true });
const synthMs = performance.now() - t0;
// The documents the stack writes, measured as the POLICY-SIZE rule measures them.
const sizes = planEnvironment(env).documents.map((d) => ({
  subject: d.subject,
  what: d.what,
  size: policySize(d.document),
  limit: d.limit,
}));
const worst = sizes.reduce((a, b) => (b.size / b.limit > a.size / a.limit ? b : a));
rmSync(outdir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    count,
    synthMs,
    policies: sizes.length,
    over: sizes.filter((s) => s.size > s.limit).length,
    worst: { subject: worst.subject, what: worst.what, size: worst.size, limit: worst.limit },
  })}\n`,
);
