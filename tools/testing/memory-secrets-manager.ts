/**
 * An in-memory Secrets Manager that behaves like the real service where rotation depends on it:
 *
 * - RotateSecret creates the new version with AWSPENDING and *no value* before the first step,
 *   and refuses to start while another rotation's AWSPENDING version exists;
 * - GetSecretValue of a version without a value, or of a stage nobody holds, is ResourceNotFound;
 *   VersionId and VersionStage together must match;
 * - PutSecretValue with an existing token is idempotent for the same value and ResourceExists for
 *   another; labels given move to the new version;
 * - UpdateSecretVersionStage refuses to move a label the caller did not say where from, and moving
 *   AWSCURRENT moves AWSPREVIOUS to the version that held it;
 * - DescribeSecret lists only versions that carry a label.
 */
import { randomUUID } from 'node:crypto';
import type { SecretDescription, SecretsManagerPort, SecretValue, VersionInfo } from '../../lambdas/rotation/secrets-manager';

class AwsError extends Error {
  constructor(
    public readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

interface Version {
  id: string;
  value?: string;
  stages: Set<string>;
  created: Date;
}

let clock = Date.UTC(2026, 0, 1);
/** Strictly increasing creation times, so "newest" is well defined within a test. */
const tick = () => {
  clock += 1000;
  return new Date(clock);
};

interface Secret {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  tags: Array<{ Key: string; Value: string }>;
  versions: Map<string, Version>;
}

export class MemorySecretsManager implements SecretsManagerPort {
  private readonly secrets = new Map<string, Secret>();
  /** Every call, for tests that assert what the handler did (never values). */
  readonly calls: string[] = [];

  create(name: string, opts: { value?: string; tags?: Record<string, string>; rotationEnabled?: boolean } = {}): string {
    const arn = `arn:aws:secretsmanager:us-east-1:111111111111:secret:${name}-${randomUUID().slice(0, 6)}`;
    const s: Secret = {
      arn,
      name,
      rotationEnabled: opts.rotationEnabled ?? true,
      tags: Object.entries(opts.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      versions: new Map(),
    };
    this.secrets.set(arn, s);
    if (opts.value !== undefined) this.putSecretValueSync(arn, randomUUID(), opts.value, ['AWSCURRENT']);
    return arn;
  }

  private find(id: string): Secret {
    const s = this.secrets.get(id) ?? [...this.secrets.values()].find((x) => x.name === id);
    if (!s) throw new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret.`);
    return s;
  }

  private moveStage(s: Secret, stage: string, to: Version): void {
    for (const v of s.versions.values()) if (v !== to) v.stages.delete(stage);
    to.stages.add(stage);
  }

  /** What the service does on RotateSecret: a new AWSPENDING version with no value. */
  startRotation(id: string, token = randomUUID()): string {
    const s = this.find(id);
    if (!s.rotationEnabled) throw new AwsError('InvalidRequestException', 'rotation is not configured');
    const pending = [...s.versions.values()].find((v) => v.stages.has('AWSPENDING') && !v.stages.has('AWSCURRENT'));
    if (pending) throw new AwsError('InvalidRequestException', 'A previous rotation isn’t complete. That rotation will be reattempted.');
    const v: Version = { id: token, stages: new Set(), created: tick() };
    s.versions.set(token, v);
    this.moveStage(s, 'AWSPENDING', v);
    return token;
  }

  setRotationEnabled(id: string, enabled: boolean): void {
    this.find(id).rotationEnabled = enabled;
  }

  stagesOf(id: string): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of this.find(id).versions.values()) if (v.stages.size > 0) out[v.id] = [...v.stages].sort();
    return out;
  }

  /** The value a stage holds (for assertions). */
  valueAt(id: string, stage: string): string | undefined {
    return [...this.find(id).versions.values()].find((v) => v.stages.has(stage))?.value;
  }

  async describeSecret(secretId: string): Promise<SecretDescription> {
    this.calls.push(`DescribeSecret`);
    const s = this.find(secretId);
    return {
      ARN: s.arn,
      Name: s.name,
      RotationEnabled: s.rotationEnabled,
      VersionIdsToStages: this.stagesOf(s.arn),
      Tags: s.tags.map((t) => ({ ...t })),
    };
  }

  async getSecretValue(req: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<SecretValue> {
    this.calls.push(`GetSecretValue ${req.VersionStage ?? ''}`.trim());
    const s = this.find(req.SecretId);
    const stage = req.VersionStage ?? (req.VersionId ? undefined : 'AWSCURRENT');
    const v = req.VersionId ? s.versions.get(req.VersionId) : [...s.versions.values()].find((x) => x.stages.has(stage!));
    if (!v || (stage && !v.stages.has(stage)) || v.value === undefined) {
      throw new AwsError(
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for staging label: ${stage ?? ''}`,
      );
    }
    return { VersionId: v.id, SecretString: v.value };
  }

  private putSecretValueSync(id: string, token: string, value: string, stages: string[]): void {
    const s = this.find(id);
    const existing = s.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== value)
        throw new AwsError('ResourceExistsException', 'You can’t modify an existing version, you can only create new versions.');
    }
    const v = existing ?? { id: token, stages: new Set<string>(), created: tick() };
    v.value = value;
    s.versions.set(token, v);
    for (const stage of stages) {
      if (stage === 'AWSCURRENT') {
        const old = [...s.versions.values()].find((x) => x.stages.has('AWSCURRENT'));
        if (old && old !== v) this.moveStage(s, 'AWSPREVIOUS', old);
      }
      this.moveStage(s, stage, v);
    }
  }

  async putSecretValue(req: {
    SecretId: string;
    ClientRequestToken: string;
    SecretString: string;
    VersionStages: string[];
  }): Promise<void> {
    this.calls.push(`PutSecretValue ${req.VersionStages.join(',')}`);
    this.putSecretValueSync(req.SecretId, req.ClientRequestToken, req.SecretString, req.VersionStages);
  }

  async listVersions(secretId: string): Promise<VersionInfo[]> {
    this.calls.push('ListSecretVersionIds');
    return [...this.find(secretId).versions.values()].map((v) => ({
      VersionId: v.id,
      VersionStages: [...v.stages],
      CreatedDate: v.created,
    }));
  }

  /** An operator's `put-secret-value` (AWSCURRENT by default), out of band of any rotation. */
  operatorPut(id: string, value: string): string {
    const token = randomUUID();
    this.putSecretValueSync(id, token, value, ['AWSCURRENT']);
    return token;
  }

  async updateSecretVersionStage(req: {
    SecretId: string;
    VersionStage: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }): Promise<void> {
    this.calls.push(`UpdateSecretVersionStage ${req.VersionStage}`);
    const s = this.find(req.SecretId);
    const holder = [...s.versions.values()].find((v) => v.stages.has(req.VersionStage));
    if (req.RemoveFromVersionId && holder?.id !== req.RemoveFromVersionId) {
      throw new AwsError(
        'InvalidParameterException',
        `The staging label ${req.VersionStage} is not attached to version ${req.RemoveFromVersionId}.`,
      );
    }
    if (req.MoveToVersionId) {
      const to = s.versions.get(req.MoveToVersionId);
      if (!to) throw new AwsError('ResourceNotFoundException', 'version not found');
      if (holder && holder !== to && !req.RemoveFromVersionId) {
        throw new AwsError(
          'InvalidParameterException',
          `The staging label ${req.VersionStage} is currently attached to version ${holder.id}. You must specify RemoveFromVersionId.`,
        );
      }
      if (req.VersionStage === 'AWSCURRENT' && holder && holder !== to) this.moveStage(s, 'AWSPREVIOUS', holder);
      this.moveStage(s, req.VersionStage, to);
    } else if (holder) {
      holder.stages.delete(req.VersionStage);
    }
  }
}
