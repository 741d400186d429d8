/**
 * CI and human access of one environment's account, rendered from documents the plan derived
 * (plan/ci-access.ts): the GitHub OIDC provider, every role with its trust, managed policies and
 * permissions boundary, the workload boundary, and the code signing the environment stack's
 * functions must use (Signer profile, an Enforce code-signing config, and the SSM parameter that
 * hands the config's ARN to the environment stack). The bootstrap owns code signing so the deploy
 * role, which applies the environment stack, can neither weaken nor replace it.
 */
import { Construct } from 'constructs';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LambdaCodeSigningConfig } from '@cdktf/provider-aws/lib/lambda-code-signing-config';
import { SignerSigningProfile } from '@cdktf/provider-aws/lib/signer-signing-profile';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { ArnResolver } from './arn-resolver';
import type { PolicyDocument } from '../plan/policy';
import type { RoleAccess } from '../plan/types';

export interface CiRoleProps extends Omit<RoleAccess, 'arn'> {
  /** Construct id (stable: renaming it replaces the role). */
  readonly id: string;
}

export interface CiAccessProps {
  /** The GitHub OIDC provider: its URL, audiences, and the ARN the documents were written with. */
  readonly oidc: { readonly url: string; readonly clientIds: readonly string[]; readonly estimatedArn: string };
  readonly roles: readonly CiRoleProps[];
  /** The boundary every role the environment stack creates must carry. */
  readonly workloadBoundary: { readonly name: string; readonly document: PolicyDocument };
  readonly codeSigning: {
    readonly profileName: string;
    readonly platformId: string;
    readonly signatureValidityMonths: number;
    readonly parameterName: string;
    /** The config ARN the documents were written with (bound to the real one here). */
    readonly estimatedConfigArn: string;
  };
  /**
   * Tags of every resource.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export class CiAccess extends Construct {
  readonly oidcProvider: IamOpenidConnectProvider;
  readonly roles: ReadonlyMap<string, IamRole>;
  readonly workloadBoundary: IamPolicy;
  readonly codeSigningConfig: LambdaCodeSigningConfig;
  readonly signingProfile: SignerSigningProfile;

  constructor(scope: Construct, id: string, p: CiAccessProps) {
    super(scope, id);
    const tags = p.tags ? { ...p.tags } : undefined;
    const arns = new ArnResolver();
    this.oidcProvider = new IamOpenidConnectProvider(this, 'github-oidc', { url: p.oidc.url, clientIdList: [...p.oidc.clientIds], tags });
    arns.bind(p.oidc.estimatedArn, this.oidcProvider.arn);

    const cs = p.codeSigning;
    if (!/^[A-Za-z0-9_]{2,64}$/.test(cs.profileName))
      throw new Error(`ci access: signing profile name ${cs.profileName} must be 2-64 letters, digits or underscores`);
    this.signingProfile = new SignerSigningProfile(this, 'signing-profile', {
      name: cs.profileName,
      platformId: cs.platformId,
      signatureValidityPeriod: { type: 'MONTHS', value: cs.signatureValidityMonths },
      tags,
    });
    this.codeSigningConfig = new LambdaCodeSigningConfig(this, 'code-signing', {
      description: `Only code signed by ${cs.profileName}; unsigned code is refused (Enforce)`,
      allowedPublishers: { signingProfileVersionArns: [this.signingProfile.versionArn] },
      policies: { untrustedArtifactOnDeployment: 'Enforce' },
      tags,
    });
    arns.bind(cs.estimatedConfigArn, this.codeSigningConfig.arn);
    new SsmParameter(this, 'code-signing-parameter', {
      name: cs.parameterName,
      description: 'ARN of the code-signing config every rotation function of this environment deploys under',
      type: 'String',
      insecureValue: this.codeSigningConfig.arn,
      tags,
    });

    this.workloadBoundary = new IamPolicy(this, 'workload-boundary', {
      name: p.workloadBoundary.name,
      description: 'Permissions boundary of every role the environment stack creates',
      policy: arns.render(p.workloadBoundary.document),
      tags,
    });

    const roles = new Map<string, IamRole>();
    for (const r of p.roles) {
      const boundary = r.boundary
        ? new IamPolicy(this, `${r.id}-boundary`, {
            name: r.boundary.name,
            description: `Permissions boundary of ${r.name}`,
            policy: arns.render(r.boundary.document),
            tags,
          })
        : undefined;
      const role = new IamRole(this, `${r.id}-role`, {
        name: r.name,
        description: r.description,
        assumeRolePolicy: arns.render(r.trust),
        permissionsBoundary: boundary?.arn,
        maxSessionDuration: r.maxSessionSeconds,
        tags,
      });
      r.policies.forEach((doc, n) => {
        const policy = new IamPolicy(this, `${r.id}-policy-${n + 1}`, {
          name: `${r.name}-${n + 1}`,
          description: `Permissions of ${r.name}, part ${n + 1} of ${r.policies.length}`,
          policy: arns.render(doc),
          tags,
        });
        new IamRolePolicyAttachment(this, `${r.id}-attach-${n + 1}`, { role: role.name, policyArn: policy.arn });
      });
      roles.set(r.id, role);
    }
    this.roles = roles;
  }
}
