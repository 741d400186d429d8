import { Construct } from 'constructs';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { ArnResolver } from './arn-resolver';
import type { PolicyDocument } from '../plan/policy';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import {
  alertTopicName,
  breakGlassPattern,
  breakGlassRuleState,
  deniedReadPattern,
  deniedReadsRuleState,
  exemptRolePattern,
  forwardPattern,
  forwardRuleState,
  keyAliasPattern,
  keyAnomalyPattern,
  lambdaChangePattern,
  rotationFailurePattern,
  secretChangePattern,
  secretWritePattern,
  stateKeyRuleName,
  trailChangePattern,
} from '../plan/policies/monitoring';

// Patterns and the topic policy are built by plan/policies/monitoring.ts (pure, no cdktf).

/** The names of the EventBridge rules. */
export interface AlertRuleNames {
  readonly rotationFailed: string;
  readonly deniedReads: string;
  readonly keyAnomalies: string;
  readonly keyAliases: string;
  readonly secretChanges: string;
  readonly secretWrites: string;
  readonly lambdaChanges: string;
  readonly exemptRoles: string;
  readonly breakGlass: string;
}

export interface MonitoringProps {
  /** The alerts topic's name. */
  readonly topicName: string;
  /** The topic's policy, naming the estimated topic ARN and the rules' ARNs. */
  readonly topicPolicy: PolicyDocument;
  /** The topic ARN `topicPolicy` was computed with; bound to the topic's reference. */
  readonly estimatedTopicArn: string;
  readonly ruleNames: AlertRuleNames;
  /** The key of the topic (an estimated ARN that `arns` resolves, or a reference). */
  readonly keyArn: string;
  /** ARNs and key ids of the keys whose disabling or deletion is an incident. */
  readonly keyIdentifiers: readonly string[];
  /** Alias names of the watched keys (alias events carry only the alias name). */
  readonly aliasNames: readonly string[];
  /** Name and ARN prefixes of the environment's secrets. */
  readonly secretIdPrefixes: readonly string[];
  /** The deploy and values roles, whose changes to secrets are reviewed in the plan (not alerted). */
  readonly pipelineRoleArns: readonly string[];
  /** The roles whose every change is an incident, and the prefix of the project's managed policies. */
  readonly exemptRoleNames: readonly string[];
  readonly projectPolicyArnPrefix: string;
  readonly breakGlassRoleArn: string;
  /** Rotation functions: their name prefix, account and partition (code and code-signing changes). */
  readonly functions: { readonly namePrefix: string; readonly accountId: string; readonly partition: string; readonly region: string };
  /**
   * Replica Regions whose key and secret events are forwarded to this Region's default bus.
   * @default - none
   */
  readonly forward?: {
    readonly regions: readonly string[];
    readonly busArn: string;
    readonly roleName: string;
    readonly trustPolicy: PolicyDocument;
    readonly rolePolicy: PolicyDocument;
  };
  /**
   * The permissions boundary of the forwarding role (the workload boundary).
   * @default - no boundary
   */
  readonly permissionsBoundary?: string;
  /**
   * The IAM path of the role(s): the workload path, which the deploy role's IAM permissions are scoped to.
   * @default '/'
   */
  readonly rolePath?: string;
  /** Rotation functions whose `Errors` metric gets an alarm. */
  readonly rotationFunctionNames: readonly string[];
  /**
   * E-mail subscribed to the topic (confirmation required).
   * @default - no subscription
   */
  readonly alertEmail?: string;
  /**
   * Resolves estimated ARNs to Terraform references.
   * @default - a resolver of this construct's own ARNs only
   */
  readonly arns?: ArnResolver;
  /**
   * Tags of the topic, rules and alarms.
   * @default - the provider's default tags only
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Rotation failures, denied reads and key anomalies, all to one encrypted SNS topic. */
export class Monitoring extends Construct {
  readonly topic: SnsTopic;

  constructor(scope: Construct, id: string, p: MonitoringProps) {
    super(scope, id);
    const arns = p.arns ?? new ArnResolver();
    const tags = p.tags ? { ...p.tags } : undefined;
    this.topic = new SnsTopic(this, 'topic', { name: p.topicName, kmsMasterKeyId: arns.resolve(p.keyArn), tags });
    arns.bind(p.estimatedTopicArn, this.topic.arn);
    const rules: Array<[string, string, string, object, string?]> = [
      ['rotation-failed', p.ruleNames.rotationFailed, 'A secret rotation failed or was abandoned', rotationFailurePattern()],
      ['denied-reads', p.ruleNames.deniedReads, 'A read of a secret was denied', deniedReadPattern(), deniedReadsRuleState],
      [
        'key-anomalies',
        p.ruleNames.keyAnomalies,
        'A secrets key was disabled, scheduled for deletion, re-policied, moved or granted away',
        keyAnomalyPattern([...p.keyIdentifiers]),
      ],
      ['key-aliases', p.ruleNames.keyAliases, 'An alias of a secrets key was deleted or re-pointed', keyAliasPattern([...p.aliasNames])],
      [
        'secret-changes',
        p.ruleNames.secretChanges,
        'A secret was updated (possibly its value), deleted, re-policied, lost a replica or its rotation',
        secretChangePattern([...p.secretIdPrefixes]),
      ],
      [
        'secret-writes',
        p.ruleNames.secretWrites,
        'A secret was rotated or tagged by someone other than the pipeline',
        secretWritePattern([...p.secretIdPrefixes], [...p.pipelineRoleArns]),
      ],
      [
        'rotation-code',
        p.ruleNames.lambdaChanges,
        "A rotation function's code, configuration or code signing changed",
        lambdaChangePattern({
          partition: p.functions.partition,
          accountId: p.functions.accountId,
          regions: [p.functions.region],
          functionNamePrefix: p.functions.namePrefix,
        }),
      ],
      [
        'exempt-roles',
        p.ruleNames.exemptRoles,
        'A CI, break-glass or operator role, or a project policy, changed',
        exemptRolePattern([...p.exemptRoleNames], p.projectPolicyArnPrefix),
      ],
      [
        'break-glass',
        p.ruleNames.breakGlass,
        'The break-glass role was assumed or used',
        breakGlassPattern(p.breakGlassRoleArn),
        breakGlassRuleState,
      ],
    ];
    for (const [id, name, description, pattern, state] of rules) {
      const rule = new CloudwatchEventRule(this, `rule-${id}`, {
        name,
        description,
        eventPattern: JSON.stringify(pattern),
        state: state ?? 'ENABLED',
        tags,
      });
      new CloudwatchEventTarget(this, `target-${id}`, { rule: rule.name, arn: this.topic.arn, targetId: 'alerts' });
    }
    new SnsTopicPolicy(this, 'topic-policy', { arn: this.topic.arn, policy: arns.render(p.topicPolicy) });
    for (const fn of p.rotationFunctionNames) {
      new CloudwatchMetricAlarm(this, `errors-${fn}`, {
        alarmName: `${fn}-errors`,
        alarmDescription: `Rotation function ${fn} returned errors; see docs/rotation.md, "When a rotation fails"`,
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: fn },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [this.topic.arn],
        okActions: [this.topic.arn],
        tags,
      });
    }
    if (p.forward) {
      const f = p.forward;
      const role = new IamRole(this, 'forward-role', {
        name: f.roleName,
        description: 'EventBridge forwards key and secret incidents from replica Regions to the primary Region',
        assumeRolePolicy: arns.render(f.trustPolicy),
        permissionsBoundary: p.permissionsBoundary,
        path: p.rolePath,
        tags,
      });
      new IamRolePolicy(this, 'forward-policy', { name: 'put-events-to-primary-bus', role: role.name, policy: arns.render(f.rolePolicy) });
      for (const region of f.regions) {
        const rule = new CloudwatchEventRule(this, `forward-${region}`, {
          region,
          name: `${p.topicName.replace(/-alerts$/, '')}-forward`,
          description: `Key, secret, role and break-glass incidents in ${region}, forwarded to the primary Region`,
          eventPattern: JSON.stringify(forwardPattern(p.breakGlassRoleArn)),
          state: forwardRuleState,
          tags,
        });
        new CloudwatchEventTarget(this, `forward-target-${region}`, {
          region,
          rule: rule.name,
          arn: f.busArn,
          roleArn: role.arn,
          targetId: 'primary-bus',
        });
      }
    }
    if (p.alertEmail) {
      new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: p.alertEmail });
    }
  }
}

export interface KeyIncidentRulesProps {
  /** Environment name prefix (`prod`): names the rules and the alerts topic they publish to. */
  readonly prefix: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition?: string;
  /** Every way a caller can name the key (id, ARN, alias, alias ARN). */
  readonly identifiers: readonly string[];
  readonly aliasNames: readonly string[];
  /**
   * The bootstrap's trail, whose stopping or narrowing silences every alarm.
   * @default - no trail rule
   */
  readonly trail?: { readonly name: string; readonly arn: string };
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The state key's incident rules, in the state-backend stack (which knows the key): the same
 * patterns as the environment's keys, published to the environment's alerts topic by its literal
 * ARN (the environment's topic policy admits these two rules by name).
 */
export class KeyIncidentRules extends Construct {
  constructor(scope: Construct, id: string, p: KeyIncidentRulesProps) {
    super(scope, id);
    const topic = `arn:${p.partition ?? 'aws'}:sns:${p.region}:${p.accountId}:${alertTopicName(p.prefix)}`;
    const tags = p.tags ? { ...p.tags } : undefined;
    const rules: Array<['key-anomalies' | 'key-aliases' | 'trail-changes', string, object]> = [
      [
        'key-anomalies',
        'A bootstrap key (Terraform state, audit trail) was disabled, scheduled for deletion, re-policied or granted away',
        keyAnomalyPattern([...p.identifiers]),
      ],
      ['key-aliases', 'A bootstrap key alias was deleted or re-pointed', keyAliasPattern([...p.aliasNames])],
      ...(p.trail
        ? [
            [
              'trail-changes',
              'The audit trail the alarms rely on was stopped, deleted or changed',
              trailChangePattern(p.trail.name, p.trail.arn),
            ] as ['trail-changes', string, object],
          ]
        : []),
    ];
    for (const [which, description, pattern] of rules) {
      const rule = new CloudwatchEventRule(this, `rule-${which}`, {
        name: stateKeyRuleName(p.prefix, which),
        description,
        eventPattern: JSON.stringify(pattern),
        tags,
      });
      new CloudwatchEventTarget(this, `target-${which}`, { rule: rule.name, arn: topic, targetId: 'alerts' });
    }
  }
}
