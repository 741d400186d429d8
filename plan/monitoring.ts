/** Alerts: the topic, the EventBridge rules that publish to it, and forwarding from replica Regions. */
import { arn, roleArn } from './arn';
import { type PlanContext, SIZE_PAGES } from './context';
import { POLICY_LIMITS } from './policy';
import { CI_ROLE_NAMES, PROJECT } from '../catalogs/project';
import { alertTopicPolicy, eventsForwardPolicy, eventsTrustPolicy, globalRegion, stateKeyRuleName } from './policies/monitoring';
import { deployRoleName } from './secret-access';
import type { CodeSigningPlan, EnvironmentPlan, KeyPlan, RotationFunctionPlan, SecretPlan } from './types';

export function planMonitoring(
  ctx: PlanContext,
  p: {
    keys: readonly KeyPlan[];
    monitoringKey: KeyPlan;
    codeSigning?: CodeSigningPlan;
    secrets: readonly SecretPlan[];
    rotationFunctions: readonly RotationFunctionPlan[];
  },
): EnvironmentPlan['monitoring'] {
  const { env, prefix, scope } = ctx;
  const here = (service: string, resource: string, region = env.region) => arn(scope.partition, service, region, env.accountId, resource);
  const topicName = `${prefix}-secrets-alerts`;
  const topicArn = here('sns', topicName);
  const ruleNames = {
    rotationFailed: `${prefix}-secrets-rotation-failed`,
    deniedReads: `${prefix}-secrets-denied-reads`,
    keyAnomalies: `${prefix}-secrets-key-anomalies`,
    keyAliases: `${prefix}-secrets-key-aliases`,
    secretChanges: `${prefix}-secrets-secret-changes`,
    secretWrites: `${prefix}-secrets-secret-writes`,
    lambdaChanges: `${prefix}-secrets-rotation-code`,
    exemptRoles: `${prefix}-secrets-exempt-roles`,
    breakGlass: `${prefix}-secrets-break-glass`,
  };
  // The roles the ci-access bootstrap creates, exempt from the workload boundary (plan/ci-access.ts).
  const roleArnOf = (name: string) => roleArn(scope.partition, env.accountId, name);
  const deployRole = deployRoleName(env);
  const exemptRoleNames = [
    ...new Set([
      CI_ROLE_NAMES.planPr,
      CI_ROLE_NAMES.plan,
      deployRole,
      CI_ROLE_NAMES.values,
      env.breakGlass.roleName,
      CI_ROLE_NAMES.operator,
    ]),
  ];
  // The state-backend stack's rules (its keys, its trail) publish to this topic too.
  const stateRuleNames = (['key-anomalies', 'key-aliases', 'trail-changes'] as const).map((w) => stateKeyRuleName(prefix, w));
  const ruleArns = [...Object.values(ruleNames), ...stateRuleNames].map((n) => here('events', `rule/${n}`));
  // Replica keys and replicas live in other Regions, whose events reach only that Region's bus.
  const replicaRegions = [...new Set([...p.keys.flatMap((k) => k.replicaRegions), ...env.secrets.flatMap((s) => s.replicas ?? [])])]
    .filter((r) => r !== env.region)
    .sort();
  // IAM's events, and AssumeRole through the global STS endpoint, reach only the global Region's bus.
  const forwardFromRegions = [...new Set([...replicaRegions, globalRegion(scope.partition)])].filter((r) => r !== env.region).sort();
  const primaryBus = here('events', 'event-bus/default');
  const regions = [env.region, ...replicaRegions];
  const secretIdPrefixes = [
    `${prefix}/`,
    ...regions.map((r) => here('secretsmanager', `secret:${prefix}/`, r)),
    // Names kept from before (`name` overrides) need their own prefixes.
    ...p.secrets
      .filter((s) => !s.name.startsWith(`${prefix}/`))
      .flatMap((s) => [s.name, ...regions.map((r) => here('secretsmanager', `secret:${s.name}`, r))]),
  ];
  const keys = [...p.keys, p.monitoringKey, ...(p.codeSigning ? [p.codeSigning.key] : [])];
  const forwardSubject = `event forwarding (${env.name})`;
  return {
    topicName,
    topicArn,
    topicPolicy: ctx.doc({
      subject: `alerts topic ${topicName} (${env.name})`,
      what: 'the topic policy',
      document: alertTopicPolicy(topicArn, env.accountId, ruleArns),
      limit: POLICY_LIMITS.snsTopicPolicy,
      limitSource: SIZE_PAGES.sns,
      fix: 'report this as a bug',
    }),
    ruleNames,
    // Every key this stack creates: the secret keys, the monitoring key and the artifacts key.
    watchedKeyIds: keys.map((k) => k.id),
    aliasNames: keys.map((k) => k.alias),
    secretIdPrefixes,
    exemptRoleNames,
    projectPolicyArnPrefix: arn(scope.partition, 'iam', '', env.accountId, `policy/${PROJECT}-`),
    breakGlassRoleArn: roleArnOf(env.breakGlass.roleName),
    pipelineRoleArns: [env.deployRoleArn ?? roleArnOf(deployRole), roleArnOf(CI_ROLE_NAMES.values)],
    functionNamePrefix: `${prefix}-secrets-rotation-`,
    forward:
      forwardFromRegions.length > 0
        ? {
            regions: forwardFromRegions,
            busArn: primaryBus,
            roleName: `${prefix}-secrets-events-forward`,
            trustPolicy: ctx.doc({
              subject: forwardSubject,
              what: 'the trust policy',
              document: eventsTrustPolicy(env.accountId),
              limit: POLICY_LIMITS.iamTrustPolicy,
              limitSource: SIZE_PAGES.iam,
              fix: 'report this as a bug',
            }),
            rolePolicy: ctx.doc({
              subject: forwardSubject,
              what: "the forwarding role's inline policy",
              document: eventsForwardPolicy(primaryBus),
              limit: POLICY_LIMITS.iamInlinePoliciesPerRole,
              limitSource: SIZE_PAGES.iam,
              fix: 'report this as a bug',
            }),
          }
        : undefined,
    rotationFunctionNames: p.rotationFunctions.map((f) => f.functionName),
    alertEmail: env.alertEmail,
  };
}
