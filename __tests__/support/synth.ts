import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthApp } from '../../app/app';
import type { EnvironmentConfig } from '../../catalogs/types';

export type TfJson = {
  terraform: Record<string, any>;
  provider?: Record<string, any[]>;
  resource?: Record<string, Record<string, any>>;
  data?: Record<string, Record<string, any>>;
  ephemeral?: Record<string, Record<string, any>>;
  variable?: Record<string, any>;
  output?: Record<string, any>;
};

export interface Synthesized {
  outdir: string;
  stacks: Record<string, TfJson>;
  /** Every file under outdir, as text (binary files too, decoded as latin1). */
  files: Record<string, string>;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Synthesizes the given environments into a fresh temporary directory and reads it back. */
export function synth(envs: EnvironmentConfig[]): Synthesized {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdktf-test-'));
  synthApp(envs, { outdir });
  const stacks: Record<string, TfJson> = {};
  for (const name of readdirSync(path.join(outdir, 'stacks'))) {
    stacks[name] = JSON.parse(readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8'));
  }
  const files: Record<string, string> = {};
  for (const f of walk(outdir)) files[path.relative(outdir, f)] = readFileSync(f, 'latin1');
  return { outdir, stacks, files };
}

/** All resources of a type in a stack, as [logical name, body]. */
export function resources(stack: TfJson, type: string): Array<[string, any]> {
  return Object.entries(stack.resource?.[type] ?? {});
}

export function only(stack: TfJson, type: string, predicate: (body: any) => boolean): any {
  const found = resources(stack, type).filter(([, b]) => predicate(b));
  if (found.length !== 1) throw new Error(`expected exactly one ${type} matching, found ${found.length}`);
  return found[0][1];
}

/** Parses a policy string the way AWS would read it. */
export function parsePolicy(text: string): { Version: string; Statement: any[] } {
  return JSON.parse(text);
}

export const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Every policy document in a stack: [where, parsed]. */
export function allPolicies(stack: TfJson): Array<[string, { Statement: any[] }]> {
  const out: Array<[string, { Statement: any[] }]> = [];
  const fields: Record<string, string[]> = {
    aws_iam_role: ['assume_role_policy'],
    aws_iam_role_policy: ['policy'],
    aws_kms_key: ['policy'],
    aws_kms_replica_key: ['policy'],
    aws_secretsmanager_secret_policy: ['policy'],
    aws_s3_bucket_policy: ['policy'],
    aws_sns_topic_policy: ['policy'],
    aws_vpc_endpoint: ['policy'],
  };
  for (const [type, keys] of Object.entries(fields)) {
    for (const [name, body] of resources(stack, type)) {
      for (const k of keys) if (typeof body[k] === 'string') out.push([`${type}.${name}.${k}`, parsePolicy(body[k])]);
    }
  }
  for (const [name, o] of Object.entries(stack.output ?? {})) {
    if (name.startsWith('consumer_policies_'))
      for (const [i, doc] of (o.value as string[]).entries()) out.push([`output.${name}[${i}]`, parsePolicy(doc)]);
  }
  return out;
}
