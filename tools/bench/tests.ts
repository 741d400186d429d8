/**
 * The inner loop, for `npm run bench` (section `tests`): the wall time of `npm test` (aim: 90 s on
 * this machine) and of `npm run validate` once its stub provider is built and its tools are
 * installed (warm: one run first, then the timed one). One run each: they take minutes, and the
 * load average at the start and end of each is in the note, since other work on the machine
 * moves these figures more than anything in them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchRow } from './types';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.build', 'bench');
/** The issue's limit for `npm test` on this machine. */
const NPM_TEST_AIM_S = 90;

interface Run {
  seconds: number;
  ok: boolean;
  tail: string;
  load: string;
}

function npm(args: string[]): Run {
  const before = os.loadavg()[0];
  const t0 = process.hrtime.bigint();
  const r = spawnSync('npm', args, { cwd: ROOT, env: { ...process.env, CI: 'true' }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // What went wrong, in one line: the first error line, else the last line.
  const lines = `${r.stdout}${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const tail = (
    lines.find((l) => /^(\w*Error\b|FAIL\b)/.test(l)) ??
    lines.find((l) => /\bfailed\b/.test(l)) ??
    lines[lines.length - 1] ??
    ''
  ).slice(0, 300);
  return { seconds, ok: r.status === 0, tail, load: `load average ${before.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}` };
}

interface JestJson {
  numTotalTests: number;
  numFailedTests: number;
  numTotalTestSuites: number;
  testResults: Array<{ name: string; startTime: number; endTime: number }>;
}

export function benchTests(): BenchRow[] {
  const report = path.join(OUT, 'jest-unit.json');
  rmSync(report, { force: true });
  const unit = npm(['test', '--silent', '--', '--json', `--outputFile=${report}`]);
  let counts = `failed: ${unit.tail}`;
  try {
    const j = JSON.parse(readFileSync(report, 'utf8')) as JestJson;
    const slowest = [...j.testResults].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime))[0];
    counts = `${j.numTotalTests} tests in ${j.numTotalTestSuites} files, ${j.numFailedTests} failed; slowest file ${path.relative(ROOT, slowest.name)} ${((slowest.endTime - slowest.startTime) / 1000).toFixed(1)} s`;
  } catch {
    // No report: jest did not finish; the note says how it ended.
  }
  const rows: BenchRow[] = [
    {
      group: 'tests',
      name: '`npm test` (jest project `unit`), wall',
      value: unit.seconds,
      unit: 's',
      aim: `≤ ${NPM_TEST_AIM_S} s`,
      met: unit.ok && unit.seconds <= NPM_TEST_AIM_S,
      note: `${counts}; ${unit.load}; one run`,
    },
  ];
  npm(['run', 'validate', '--silent']); // warm: builds the stub, installs checkov and parliament
  const validate = npm(['run', 'validate', '--silent']);
  rows.push({
    group: 'tests',
    name: '`npm run validate`, warm (stub built, tools installed), wall',
    value: validate.seconds,
    unit: 's',
    note: `${validate.ok ? 'passed' : `FAILED: ${validate.tail}`}; ${validate.load}; one run after a warm-up run`,
  });
  return rows;
}
