/**
 * `npm run access:diff -- <base> <head>`: the access a change gains and loses, from the reports
 * synth writes (cdktf.out/stacks/<env>/report.json). Each argument is a report.json or a cdktf.out
 * directory (every environment in it). Prints Markdown for the pull request; exit code 0 either way
 * (the diff informs the reviewer; `npm run access` is the gate).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { EnvironmentReport, Principal } from '../../report/report';

type Grants = Map<string, string>; // "<env> <secret> <verb> <principal>" -> description

/** The argument that stands for "no base" (a first pull request, a base that does not synthesize). */
export const NO_BASE = 'none';

/**
 * The reports of a report.json or a cdktf.out directory. A path that is missing or holds no report
 * is an error, not an empty base: diffed against nothing, every grant would read as gained.
 */
export function loadReports(arg: string): EnvironmentReport[] {
  if (arg === NO_BASE) return [];
  if (!existsSync(arg))
    throw new Error(
      `${arg} does not exist; give a report.json or a cdktf.out directory that npm run synth wrote (or ${NO_BASE} for no base)`,
    );
  if (statSync(arg).isFile()) return [JSON.parse(readFileSync(arg, 'utf8'))];
  const stacks = path.join(arg, 'stacks');
  const files = existsSync(stacks)
    ? readdirSync(stacks)
        .map((d) => path.join(stacks, d, 'report.json'))
        .filter(existsSync)
    : [];
  if (files.length === 0)
    throw new Error(`${arg} holds no stacks/<env>/report.json; run npm run synth there first (or give ${NO_BASE} for no base)`);
  return files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
}

export function grantsOf(reports: EnvironmentReport[]): Grants {
  const out: Grants = new Map();
  const label = (p: Principal) =>
    (p.kind === 'organization' ? `organization ${p.id}` : p.id) + (p.stages && p.stages !== 'all' ? ` (${p.stages})` : '');
  for (const r of reports) {
    for (const s of r.secrets) {
      for (const [verb, list] of [
        ['read', s.readers],
        ['write', s.writers],
        ['manage', s.managers],
      ] as const) {
        for (const p of list) out.set(`${r.environment}\u0000${s.name}\u0000${verb}\u0000${label(p)}`, p.as);
      }
    }
  }
  return out;
}

export function accessDiff(base: EnvironmentReport[], head: EnvironmentReport[]): { gained: string[]; lost: string[]; markdown: string } {
  const b = grantsOf(base);
  const h = grantsOf(head);
  const fmt = (k: string, as: string) => {
    const [env, secret, verb, who] = k.split('\u0000');
    return `| ${env} | ${secret} | ${verb} | ${who} | ${as} |`;
  };
  const gained = [...h]
    .filter(([k]) => !b.has(k))
    .map(([k, as]) => fmt(k, as))
    .sort();
  const lost = [...b]
    .filter(([k]) => !h.has(k))
    .map(([k, as]) => fmt(k, as))
    .sort();
  const cost = (rs: EnvironmentReport[]) => Object.fromEntries(rs.map((r) => [r.environment, r.cost.monthlyEstimate]));
  const cb = cost(base);
  const ch = cost(head);
  const costLines = Object.keys({ ...cb, ...ch })
    .sort()
    .filter((e) => cb[e] !== ch[e])
    .map((e) => `- ${e}: monthly cost estimate $${(cb[e] ?? 0).toFixed(2)} -> $${(ch[e] ?? 0).toFixed(2)}`);
  const table = (rows: string[]) =>
    rows.length === 0 ? ['none'] : ['| environment | secret | access | principal | as |', '|---|---|---|---|---|', ...rows];
  const markdown = [
    '<!-- access-diff -->',
    '### Access diff (who can read, write or manage each secret)',
    '',
    `**Gained** (${gained.length})`,
    '',
    ...table(gained),
    '',
    `**Lost** (${lost.length})`,
    '',
    ...table(lost),
    ...(costLines.length > 0 ? ['', ...costLines] : []),
    '',
  ].join('\n');
  return { gained, lost, markdown };
}
