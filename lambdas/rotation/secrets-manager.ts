/**
 * The four Secrets Manager calls a rotation makes, as a narrow port. The handlers depend on this
 * interface; production wires it to the AWS SDK v3 client, unit tests to an in-memory service and
 * integration tests to moto's server.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

export interface SecretDescription {
  ARN: string;
  Name: string;
  RotationEnabled?: boolean;
  /** Only versions that carry a staging label (the service's own rule). */
  VersionIdsToStages: Record<string, string[]>;
  Tags?: Array<{ Key?: string; Value?: string }>;
}

export interface SecretValue {
  VersionId: string;
  SecretString?: string;
  SecretBinary?: Uint8Array;
}

export interface VersionInfo {
  VersionId: string;
  VersionStages: string[];
  CreatedDate?: Date;
}

export interface SecretsManagerPort {
  describeSecret(secretId: string): Promise<SecretDescription>;
  getSecretValue(req: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<SecretValue>;
  putSecretValue(req: { SecretId: string; ClientRequestToken: string; SecretString: string; VersionStages: string[] }): Promise<void>;
  updateSecretVersionStage(req: {
    SecretId: string;
    VersionStage: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }): Promise<void>;
  /** Every version, unlabelled (deprecated) ones included; the service keeps about 100. */
  listVersions(secretId: string): Promise<VersionInfo[]>;
}

/** The error name the SDK (and our in-memory service) gives a missing secret or version. */
export function isNotFound(e: unknown): boolean {
  return (e as { name?: string } | null)?.name === 'ResourceNotFoundException';
}

export class SdkSecretsManager implements SecretsManagerPort {
  constructor(private readonly client: SecretsManagerClient) {}

  async describeSecret(secretId: string): Promise<SecretDescription> {
    const r = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return {
      ARN: r.ARN!,
      Name: r.Name!,
      RotationEnabled: r.RotationEnabled,
      VersionIdsToStages: r.VersionIdsToStages ?? {},
      Tags: r.Tags,
    };
  }

  async getSecretValue(req: { SecretId: string; VersionId?: string; VersionStage?: string }): Promise<SecretValue> {
    const r = await this.client.send(new GetSecretValueCommand(req));
    return { VersionId: r.VersionId!, SecretString: r.SecretString, SecretBinary: r.SecretBinary };
  }

  async putSecretValue(req: {
    SecretId: string;
    ClientRequestToken: string;
    SecretString: string;
    VersionStages: string[];
  }): Promise<void> {
    await this.client.send(new PutSecretValueCommand(req));
  }

  async updateSecretVersionStage(req: {
    SecretId: string;
    VersionStage: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }): Promise<void> {
    await this.client.send(new UpdateSecretVersionStageCommand(req));
  }

  async listVersions(secretId: string): Promise<VersionInfo[]> {
    const out: VersionInfo[] = [];
    let NextToken: string | undefined;
    do {
      const r = await this.client.send(
        new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: true, MaxResults: 100, NextToken }),
      );
      for (const v of r.Versions ?? [])
        out.push({ VersionId: v.VersionId!, VersionStages: v.VersionStages ?? [], CreatedDate: v.CreatedDate });
      NextToken = r.NextToken;
    } while (NextToken);
    return out;
  }
}

/**
 * The client a handler uses: region from the Lambda environment; `SECRETS_MANAGER_ENDPOINT` only
 * for tests against an emulator (inside a VPC the endpoint's private DNS name needs no setting).
 */
export function defaultSecretsManager(env: NodeJS.ProcessEnv = process.env): SecretsManagerPort {
  return new SdkSecretsManager(
    new SecretsManagerClient({
      endpoint: env.SECRETS_MANAGER_ENDPOINT || undefined,
      maxAttempts: 3,
      // Fail a hung call well inside the function's 60 s, instead of waiting for Lambda to kill it.
      requestHandler: { connectionTimeout: 3_000, requestTimeout: 10_000 },
    }),
  );
}
