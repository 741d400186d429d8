/** What every bench section measures with: medians, and the wall time and peak memory of one process. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/**
 * Runs `command args` to its end and returns its wall time (ms) and peak RSS (MB, from GNU time).
 * Fails loudly: a failed run is not a fast one.
 */
export function timed(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv },
): { ms: number; rssMb: number; stdout: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0)
    throw new Error(`bench: ${path.basename(command)} ${args.join(' ')} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssMb: rssKb / 1024, stdout: r.stdout };
}
