/**
 * Bundles memory-probe.ts with esbuild and runs it with --expose-gc (the client memory proof and
 * the bench, which runs bundled elsewhere: the repository root is found, not assumed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

function repoRoot(): string {
  for (let d = __dirname; d !== path.dirname(d); d = path.dirname(d)) if (existsSync(path.join(d, 'client', 'src', 'cache.ts'))) return d;
  throw new Error(`no repository root above ${__dirname}`);
}

export interface MemoryProbe {
  ids: number;
  ms: number;
  growthMb: number;
  afterCloseMb?: number;
  stats?: { slots: number; entries: number; watches: number; redactedValues: number };
  scrubbedOld?: boolean;
  entries?: number;
}

export function runMemoryProbe(ids: number, mode: 'client' | 'naive' = 'client'): MemoryProbe {
  const root = repoRoot();
  const out = path.join(root, '.build', 'probes', 'memory.cjs');
  mkdirSync(path.dirname(out), { recursive: true });
  buildSync({
    entryPoints: [path.join(root, 'tools', 'testing', 'memory-probe.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'error',
  });
  const r = spawnSync(process.execPath, ['--expose-gc', out, String(ids), mode], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory probe failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
