import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import type { ArnResolver } from './arn-resolver';
import { type PolicyDocument, renderPolicy } from '../plan/policy';

// The policies are built by plan/policies/access.ts (pure, no cdktf); this construct renders them.

/** A role this module creates, with its one inline policy. */
export interface RoleSpec {
  /** The role's name (64 characters at most). */
  readonly name: string;
  /** The role's description. */
  readonly description: string;
  /** Name of the role's inline policy. */
  readonly policyName: string;
  /** The inline policy, with estimated ARNs that `arns` resolves. */
  readonly policy: PolicyDocument;
}

export interface EcsServiceAccessProps {
  /** Trust policy of both roles (ECS tasks of this account and region). */
  readonly trustPolicy: PolicyDocument;
  /**
   * The task execution role, which reads the secrets ECS injects at start-up.
   * @default - no execution role (the service injects no secret)
   */
  readonly executionRole?: RoleSpec;
  /**
   * The task role, which reads secrets at run time.
   * @default - no task role (the service reads no secret at run time)
   */
  readonly taskRole?: RoleSpec;
  /**
   * Container definition `secrets` entries, `valueFrom` with estimated ARNs.
   * @default - none
   */
  readonly containerSecrets?: ReadonlyArray<{ readonly name: string; readonly valueFrom: string }>;
  /**
   * Resolves the estimated ARNs in the documents to Terraform references.
   * @default - documents are rendered as given
   */
  readonly arns?: ArnResolver;
  /**
   * The service's log group (the awslogs driver writes there; the execution role may only write there).
   * @default - no log group is created
   */
  readonly logGroup?: { readonly name: string; readonly retentionInDays: number; readonly kmsKeyArn?: string };
  /**
   * The permissions boundary of both roles (the workload boundary the bootstrap creates).
   * @default - no boundary
   */
  readonly permissionsBoundary?: string;
  /**
   * The IAM path of the role(s): the workload path, which the deploy role's IAM permissions are scoped to.
   * @default '/'
   */
  readonly rolePath?: string;
  /**
   * Tags of the roles.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * An ECS service's two roles, never confused: the task execution role reads the secrets ECS
 * injects at start-up; the task role reads the secrets the application fetches at run time.
 * Each is scoped to its own secrets and keys.
 */
export class EcsServiceAccess extends Construct {
  readonly executionRole?: IamRole;
  readonly taskRole?: IamRole;
  readonly logGroup?: CloudwatchLogGroup;
  /** Container definition `secrets` entries: `{ name, valueFrom }`, with Terraform references. */
  readonly containerSecrets: Array<{ name: string; valueFrom: string }>;

  constructor(scope: Construct, id: string, props: EcsServiceAccessProps) {
    super(scope, id);
    const render = (doc: PolicyDocument) => (props.arns ? props.arns.render(doc) : renderPolicy(doc));
    const trust = render(props.trustPolicy);
    const tags = props.tags ? { ...props.tags } : undefined;
    const role = (roleId: string, policyId: string, spec: RoleSpec) => {
      const r = new IamRole(this, roleId, {
        name: spec.name,
        description: spec.description,
        assumeRolePolicy: trust,
        permissionsBoundary: props.permissionsBoundary,
        path: props.rolePath,
        tags,
      });
      new IamRolePolicy(this, policyId, { name: spec.policyName, role: r.name, policy: render(spec.policy) });
      return r;
    };
    if (props.logGroup) {
      this.logGroup = new CloudwatchLogGroup(this, 'logs', {
        name: props.logGroup.name,
        retentionInDays: props.logGroup.retentionInDays,
        kmsKeyId: props.logGroup.kmsKeyArn && props.arns ? props.arns.resolve(props.logGroup.kmsKeyArn) : props.logGroup.kmsKeyArn,
        tags,
      });
    }
    if (props.executionRole) this.executionRole = role('execution-role', 'execution-secrets', props.executionRole);
    if (props.taskRole) this.taskRole = role('task-role', 'task-secrets', props.taskRole);
    this.containerSecrets = (props.containerSecrets ?? []).map((c) => ({
      name: c.name,
      valueFrom: props.arns ? props.arns.resolve(c.valueFrom) : c.valueFrom,
    }));
  }
}
