/**
 * The values step's side of the plan (docs/values.md): the tags that tell it what to write, and
 * the manifest synth writes for it (`cdktf.out/stacks/<env>/values.json`), which names each
 * secret it writes, its version and where each key comes from, never a value. The step itself is
 * tools/ci/values.cjs (Node built-ins only); a test checks that it accepts this manifest.
 */
import { CI_ROLE_NAMES } from '../catalogs/project';
import type { EnvironmentPlan, PlannedValue, SecretPlan, ValueSource, WrittenValue } from './types';

/** Set by Terraform from the catalog's value version: a raise shows in the plan. */
export const VALUE_VERSION_TAG = 'secrets-platform:value-version';
/** Set by the values step after a write; Terraform ignores it (provider `ignore_tags`). */
export const VALUE_WRITTEN_TAG = 'secrets-platform:value-written';
/** The GitHub environment secret that holds deploy-time values: a JSON object of name -> value. */
export const DEPLOY_TIME_SECRET = 'DEPLOY_TIME_VALUES';
/** The values step's role (the same name in every environment account; created by ci-access). */
export const VALUES_ROLE_NAME = CI_ROLE_NAMES.values;
export const VALUES_MANIFEST_SCHEMA = 'secrets-platform/values/1';
export const VALUES_MANIFEST_FILE = 'values.json';

export const isWritten = (v: PlannedValue): v is WrittenValue => v.kind !== 'none';

/** The tag Terraform sets on a secret the values step writes. */
export function valueTags(v: PlannedValue): Record<string, string> {
  return isWritten(v) ? { [VALUE_VERSION_TAG]: String(v.version) } : {};
}

/** Every source of a written value, with what it fills (`value`, `key "password"`). */
export function valueSources(v: PlannedValue): Array<[string, ValueSource]> {
  if (v.kind === 'text') return [['value', v.source]];
  if (v.kind === 'json') return Object.entries(v.keys).map(([k, src]) => [`key "${k}"`, src]);
  return [];
}

/** One line per DEPLOY_TIME_VALUES name an environment needs (what `npm run values` prints). */
export interface DeployTimeInput {
  readonly name: string;
  readonly secret: string;
  /** The JSON key it fills, or undefined for the whole value. */
  readonly key?: string;
  readonly version: number;
}

export function deployTimeInputs(plan: Pick<EnvironmentPlan, 'secrets'>): DeployTimeInput[] {
  const out: DeployTimeInput[] = [];
  for (const s of plan.secrets) {
    const v = s.value;
    if (v.kind === 'text' && 'deployTime' in v.source) out.push({ name: v.source.deployTime, secret: s.name, version: v.version });
    if (v.kind === 'json')
      for (const [key, src] of Object.entries(v.keys))
        if ('deployTime' in src) out.push({ name: src.deployTime, secret: s.name, key, version: v.version });
  }
  return out;
}

type ManifestSource =
  | { deployTime: string }
  | { generate: { length: number; excludePunctuation: boolean; excludeCharacters?: string } }
  | { literal: string | number | boolean };

const source = (src: ValueSource): ManifestSource =>
  'deployTime' in src
    ? { deployTime: src.deployTime }
    : 'generate' in src
      ? {
          generate: {
            length: src.generate.length,
            excludePunctuation: src.generate.excludePunctuation,
            ...(src.generate.excludeCharacters ? { excludeCharacters: src.generate.excludeCharacters } : {}),
          },
        }
      : { literal: src.literal };

/**
 * The manifest of one environment. `fileSha256` hashes a repository file (binary values), so the
 * values step can refuse a file that differs from the one synthesized.
 */
export function valuesManifest(plan: EnvironmentPlan, fileSha256: (repoPath: string) => string) {
  const written = plan.secrets.filter((s): s is SecretPlan & { value: WrittenValue } => isWritten(s.value));
  return {
    schema: VALUES_MANIFEST_SCHEMA,
    environment: plan.environment,
    accountId: plan.accountId,
    region: plan.region,
    partition: plan.partition,
    namePrefix: plan.namePrefix,
    githubSecret: DEPLOY_TIME_SECRET,
    tags: { version: VALUE_VERSION_TAG, written: VALUE_WRITTEN_TAG },
    secrets: written.map((s) => {
      const v = s.value;
      const write =
        v.kind === 'text'
          ? { type: 'text', source: source(v.source) }
          : v.kind === 'json'
            ? { type: 'json', keys: Object.fromEntries(Object.entries(v.keys).map(([k, src]) => [k, source(src)])) }
            : { type: 'binary', file: v.file, sha256: fileSha256(v.file) };
      return {
        id: s.id,
        name: s.name,
        arnPattern: `${s.arn.slice(0, -6)}??????`,
        version: v.version,
        rotateAfterWrite: v.rotateAfterWrite,
        write,
      };
    }),
    notWritten: plan.secrets.flatMap((s) => (s.value.kind === 'none' ? [{ id: s.id, name: s.name, firstValue: s.value.firstValue }] : [])),
  };
}
