/**
 * No escalation: no role CI can assume (nor the human roles) can obtain a permission outside its
 * boundary, and no role the deploy role can create or change can do more than the workload
 * boundary. Each publicly documented IAM privilege-escalation path (Rhino Security Labs' list and
 * its successors: policy versions, user credentials and policies, role policies and trust,
 * PassRole into every compute service, Lambda code and configuration, code signing, secret and
 * key policy rewrites, boundary removal) becomes requests that must be Denied for every principal,
 * evaluated with the real identity policies, boundary and resource policies.
 *
 * iam-simulate drops GitHub's OIDC condition keys, so the web-identity trust policies are checked
 * by evaluating their conditions (StringEquals / StringLike only; anything else is a finding)
 * against the tokens each workflow job gets and the tokens it must not.
 */
import { arn, roleArn } from '../../plan/arn';
import { type CiPrincipal, estimatedCodeSigningConfigArn, GITHUB_OIDC_HOST, WORKFLOWS } from '../../plan/ci-access';
import { VALUE_WRITTEN_TAG } from '../../plan/values';
import { stateKeyRuleName } from '../../plan/policies/monitoring';
import type { CiRole, Target } from './ci-model';
import type { CiFinding, CiProofInput, CiRequest, CiSimulator } from './ci-proof';
import type { PolicyDoc } from './model';

const ALL: CiPrincipal[] = ['planPr', 'plan', 'deploy', 'values', 'operator', 'breakGlass'];
const OPEN = (resource: string): PolicyDoc => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'RewrittenToAllowEveryone', Effect: 'Allow', Principal: '*', Action: '*', Resource: resource }],
});

/** Every documented escalation path, as requests that must be Denied. */
export function escalationRequests(p: CiProofInput): { requests: CiRequest[]; methods: string[] } {
  const i = p.input;
  const env = p.env;
  const iam = (resource: string) => arn(i.partition, 'iam', '', i.accountId, resource);
  const at = (resource: string): Target => env.at(resource);
  const wb = iam(`policy/${i.project}-workload-boundary`);
  const workloadRoles = env.roles();
  const rotationFn = env.functions()[0];
  const someWorkloadRole = workloadRoles.find((r) => /-ecs-/.test(r.name)) ?? workloadRoles[0];
  const newWorkloadRole = roleArn(i.partition, i.accountId, `${i.prefix}-escalation-probe`, i.workloadRolePath);
  const foreignRole = iam(`role/${i.prefix}-admin`);
  const ciRoles = [...p.ci.roles.values()];
  const secrets = env.secrets();
  const secret = secrets[0];
  const key = secrets.map((s) => Object.values(s.keyByRegion).find((k) => k)).find((k) => k);
  const stateKey = arn(i.partition, 'kms', i.state.region, i.accountId, 'key/0123abcd-0000-4000-8000-00000000state');
  const csc = estimatedCodeSigningConfigArn(i.partition, i.regions[0], i.accountId);
  const profile = arn(i.partition, 'signer', i.regions[0], i.accountId, `/signing-profiles/${i.signingProfileName}`);
  const admin = arn(i.partition, 'iam', '', 'aws', 'policy/AdministratorAccess');
  const methods = new Map<
    string,
    Array<{
      action: string;
      resource: string;
      context?: Record<string, string | string[]>;
      resourcePolicy?: PolicyDoc;
      only?: CiPrincipal[];
    }>
  >();
  const m = (
    name: string,
    ...reqs: Array<{
      action: string;
      resource: string;
      context?: Record<string, string | string[]>;
      resourcePolicy?: PolicyDoc;
      only?: CiPrincipal[];
    }>
  ) => methods.set(name, [...(methods.get(name) ?? []), ...reqs]);
  const own = (who: CiPrincipal) => p.ci.roles.get(who);

  for (const r of ciRoles) {
    const self = r.arn;
    const ownPolicies = [...r.identity.map((x) => iam(`policy/${x.name}`)), ...(r.boundary ? [iam(`policy/${r.boundary.name}`)] : [])];
    for (const pol of [...ownPolicies, wb]) {
      m('iam:CreatePolicyVersion (rewrite a policy in place)', { action: 'iam:CreatePolicyVersion', resource: pol, only: [r.who] });
      m('iam:SetDefaultPolicyVersion (roll a policy back to a wider version)', {
        action: 'iam:SetDefaultPolicyVersion',
        resource: pol,
        only: [r.who],
      });
      m('iam:DeletePolicy (remove a boundary)', { action: 'iam:DeletePolicy', resource: pol, only: [r.who] });
    }
    m('iam:AttachRolePolicy (AdministratorAccess on itself)', {
      action: 'iam:AttachRolePolicy',
      resource: self,
      context: { 'iam:PolicyARN': admin },
      only: [r.who],
    });
    m('iam:PutRolePolicy (*:* inline on itself)', { action: 'iam:PutRolePolicy', resource: self, only: [r.who] });
    m(
      'iam:DetachRolePolicy / DeleteRolePolicy on itself',
      { action: 'iam:DetachRolePolicy', resource: self, only: [r.who] },
      { action: 'iam:DeleteRolePolicy', resource: self, only: [r.who] },
    );
    m('iam:UpdateAssumeRolePolicy (re-trust itself)', { action: 'iam:UpdateAssumeRolePolicy', resource: self, only: [r.who] });
    m(
      'iam:DeleteRolePermissionsBoundary / PutRolePermissionsBoundary (lift its own boundary)',
      { action: 'iam:DeleteRolePermissionsBoundary', resource: self, only: [r.who] },
      { action: 'iam:PutRolePermissionsBoundary', resource: self, context: { 'iam:PermissionsBoundary': admin }, only: [r.who] },
    );
    m('iam:UpdateRole (longer sessions)', { action: 'iam:UpdateRole', resource: self, only: [r.who] });
  }
  for (const r of ciRoles) {
    m('iam:UpdateAssumeRolePolicy (re-trust another CI or human role)', { action: 'iam:UpdateAssumeRolePolicy', resource: r.arn });
    m(
      'iam:PutRolePolicy / AttachRolePolicy on another CI or human role',
      { action: 'iam:PutRolePolicy', resource: r.arn },
      { action: 'iam:AttachRolePolicy', resource: r.arn, context: { 'iam:PolicyARN': admin } },
    );
    m(
      'sts:AssumeRole (chain into another CI or human role)',
      { action: 'sts:AssumeRole', resource: r.arn, resourcePolicy: r.trust },
      { action: 'sts:AssumeRole', resource: r.arn, resourcePolicy: OPEN(r.arn), only: ['planPr', 'plan', 'deploy', 'values', 'operator'] },
    );
  }
  m("iam:UpdateAssumeRolePolicy (re-trust a role of the account that is not the stack's)", {
    action: 'iam:UpdateAssumeRolePolicy',
    resource: foreignRole,
  });
  m(
    "iam:PutRolePolicy / AttachRolePolicy on a role that is not the stack's",
    { action: 'iam:PutRolePolicy', resource: foreignRole },
    { action: 'iam:AttachRolePolicy', resource: foreignRole, context: { 'iam:PolicyARN': admin } },
  );
  m("iam:TagRole (adopt a role that is not the stack's)", {
    action: 'iam:TagRole',
    resource: foreignRole,
    context: {
      [`aws:RequestTag/${i.project}:stack`]: 'environment',
      'aws:RequestTag/Environment': i.environment,
      'aws:TagKeys': [`${i.project}:stack`, 'Environment'],
    },
  });
  // Requests that carry everything else a create needs (our tags), so only the point at issue differs.
  const ourTags = {
    [`aws:RequestTag/${i.project}:stack`]: 'environment',
    'aws:RequestTag/Environment': i.environment,
    'aws:TagKeys': [`${i.project}:stack`, 'Environment'],
  };
  m(
    'iam:CreateRole without the workload boundary',
    { action: 'iam:CreateRole', resource: newWorkloadRole, context: ourTags },
    { action: 'iam:CreateRole', resource: newWorkloadRole, context: { ...ourTags, 'iam:PermissionsBoundary': admin } },
  );
  m('iam:CreateRole outside the workload path', {
    action: 'iam:CreateRole',
    resource: iam(`role/${i.prefix}-escalation-probe`),
    context: { ...ourTags, 'iam:PermissionsBoundary': wb },
  });
  if (someWorkloadRole) {
    m(
      'iam:PutRolePolicy on a workload role without its boundary',
      { action: 'iam:PutRolePolicy', resource: someWorkloadRole.arn },
      { action: 'iam:PutRolePolicy', resource: someWorkloadRole.arn, context: { 'iam:PermissionsBoundary': admin } },
    );
    m('iam:AttachRolePolicy (AdministratorAccess) on a workload role', {
      action: 'iam:AttachRolePolicy',
      resource: someWorkloadRole.arn,
      context: { 'iam:PolicyARN': admin, 'iam:PermissionsBoundary': wb },
    });
    m(
      'iam:DeleteRolePermissionsBoundary / PutRolePermissionsBoundary on a workload role',
      { action: 'iam:DeleteRolePermissionsBoundary', resource: someWorkloadRole.arn, context: { 'iam:PermissionsBoundary': wb } },
      { action: 'iam:PutRolePermissionsBoundary', resource: someWorkloadRole.arn, context: { 'iam:PermissionsBoundary': admin } },
    );
    m(
      'sts:AssumeRole of a workload role (act as a reader)',
      { action: 'sts:AssumeRole', resource: someWorkloadRole.arn, resourcePolicy: someWorkloadRole.trust },
      {
        action: 'sts:AssumeRole',
        resource: someWorkloadRole.arn,
        resourcePolicy: OPEN(someWorkloadRole.arn),
        only: ['planPr', 'plan', 'deploy', 'values', 'operator'],
      },
    );
    for (const svc of [
      'ec2.amazonaws.com',
      'ecs-tasks.amazonaws.com',
      'ecs.amazonaws.com',
      'glue.amazonaws.com',
      'cloudformation.amazonaws.com',
      'codebuild.amazonaws.com',
      'sagemaker.amazonaws.com',
      'datapipeline.amazonaws.com',
      'states.amazonaws.com',
      'batch.amazonaws.com',
      'ssm.amazonaws.com',
      'apprunner.amazonaws.com',
    ])
      m(
        'iam:PassRole to a compute service other than Lambda (EC2, ECS, Glue, CloudFormation, CodeBuild, SageMaker, Data Pipeline, Step Functions, Batch, SSM, App Runner)',
        { action: 'iam:PassRole', resource: someWorkloadRole.arn, context: { 'iam:PassedToService': svc } },
      );
    m('iam:PassRole to Lambda of a role that is not a rotation role', {
      action: 'iam:PassRole',
      resource: someWorkloadRole.arn,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
  }
  for (const r of ciRoles)
    m('iam:PassRole of a CI or human role', {
      action: 'iam:PassRole',
      resource: r.arn,
      context: { 'iam:PassedToService': 'lambda.amazonaws.com' },
    });
  m(
    'iam:CreateAccessKey / CreateLoginProfile / UpdateLoginProfile (credentials for a user)',
    ...['iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile'].map((action) => ({
      action,
      resource: iam('user/administrator'),
    })),
  );
  m(
    'iam:AttachUserPolicy / PutUserPolicy / AddUserToGroup / AttachGroupPolicy / PutGroupPolicy',
    { action: 'iam:AttachUserPolicy', resource: iam('user/administrator'), context: { 'iam:PolicyARN': admin } },
    { action: 'iam:PutUserPolicy', resource: iam('user/administrator') },
    { action: 'iam:AddUserToGroup', resource: iam('group/administrators') },
    { action: 'iam:AttachGroupPolicy', resource: iam('group/administrators'), context: { 'iam:PolicyARN': admin } },
    { action: 'iam:PutGroupPolicy', resource: iam('group/administrators') },
  );
  m(
    'iam:CreateUser / CreateServiceLinkedRole / CreateOpenIDConnectProvider / CreateSAMLProvider',
    { action: 'iam:CreateUser', resource: iam('user/escalation-probe') },
    { action: 'iam:CreateServiceLinkedRole', resource: iam('role/aws-service-role/ec2.amazonaws.com/AWSServiceRoleForProbe') },
    { action: 'iam:CreateOpenIDConnectProvider', resource: iam('oidc-provider/evil.example.com') },
    { action: 'iam:CreateSAMLProvider', resource: iam('saml-provider/evil') },
  );
  m(
    'iam:UpdateOpenIDConnectProviderThumbprint / AddClientIDToOpenIDConnectProvider (trust another token issuer)',
    { action: 'iam:UpdateOpenIDConnectProviderThumbprint', resource: i.oidcProviderArn },
    { action: 'iam:AddClientIDToOpenIDConnectProvider', resource: i.oidcProviderArn },
  );
  const fnArn = (name: string) => arn(i.partition, 'lambda', i.regions[0], i.accountId, `function:${name}`);
  m(
    'lambda:CreateFunction without the code-signing config (unsigned code)',
    { action: 'lambda:CreateFunction', resource: fnArn(`${i.prefix}-secrets-rotation-probe`) },
    {
      action: 'lambda:CreateFunction',
      resource: fnArn(`${i.prefix}-secrets-rotation-probe`),
      context: { 'lambda:CodeSigningConfigArn': csc.replace(/csc-\w+$/, 'csc-0fffffffffffffff0') },
    },
  );
  m('lambda:CreateEventSourceMapping (run a function with a passed role)', { action: 'lambda:CreateEventSourceMapping', resource: '*' });
  m(
    "lambda:UpdateFunctionCode / UpdateFunctionConfiguration / InvokeFunction of a function that is not the stack's",
    ...['lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:InvokeFunction', 'lambda:AddPermission'].map(
      (action) => ({ action, resource: fnArn('team-payments-api') }),
    ),
  );
  m(
    'code signing: change, remove or replace the code-signing config or the Signer profile',
    { action: 'lambda:UpdateCodeSigningConfig', resource: csc },
    { action: 'lambda:DeleteCodeSigningConfig', resource: csc },
    { action: 'lambda:CreateCodeSigningConfig', resource: '*' },
    ...(rotationFn
      ? [
          { action: 'lambda:DeleteFunctionCodeSigningConfig', resource: rotationFn.arn },
          {
            action: 'lambda:PutFunctionCodeSigningConfig',
            resource: rotationFn.arn,
            context: { 'lambda:CodeSigningConfigArn': csc.replace(/csc-\w+$/, 'csc-0fffffffffffffff0') },
          },
        ]
      : []),
    ...[
      'signer:PutSigningProfile',
      'signer:CancelSigningProfile',
      'signer:RevokeSignature',
      'signer:RevokeSigningProfile',
      'signer:AddProfilePermission',
    ].map((action) => ({ action, resource: profile })),
  );
  m(
    'compute that acts as a role: EC2, ECS, Glue, CloudFormation, CodeBuild, SageMaker, Data Pipeline, SSM',
    ...[
      'ec2:RunInstances',
      'ecs:RunTask',
      'ecs:RegisterTaskDefinition',
      'ecs:CreateService',
      'glue:CreateDevEndpoint',
      'glue:UpdateDevEndpoint',
      'glue:CreateJob',
      'cloudformation:CreateStack',
      'cloudformation:UpdateStack',
      'codebuild:CreateProject',
      'codebuild:StartBuild',
      'sagemaker:CreateNotebookInstance',
      'sagemaker:CreatePresignedNotebookInstanceUrl',
      'datapipeline:CreatePipeline',
      'ssm:SendCommand',
      'ssm:StartSession',
      'states:CreateStateMachine',
      'batch:SubmitJob',
    ].map((action) => ({ action, resource: '*' })),
  );
  if (secret) {
    const [region, secretArn] = Object.entries(secret.arnByRegion)[0];
    m('secret policy rewrite, then read the value', {
      action: 'secretsmanager:GetSecretValue',
      resource: secretArn,
      resourcePolicy: OPEN(secretArn),
      context: { 'secretsmanager:VersionStage': 'AWSCURRENT' },
      only: ALL.filter((w) => w !== 'breakGlass'),
    });
    // Block public access is the one check AWS makes of a secret policy's content: off, a rewrite
    // could open the secret to everyone (key policies aside, which the key-anomalies rule alarms).
    m(
      "secretsmanager:PutResourcePolicy with Secrets Manager's public-access check off or absent (a policy open to everyone)",
      ...([{ 'secretsmanager:BlockPublicPolicy': 'false' }, {}] as Record<string, string>[]).map((context) => ({
        action: 'secretsmanager:PutResourcePolicy',
        resource: secretArn,
        context,
        only: ALL.filter((w) => w !== 'breakGlass'),
      })),
    );
    // Without a secret that deletes at once (recovery window 0, dev only), a deletion is restorable.
    if (!i.forceDeletes)
      m('secretsmanager:DeleteSecret for good (ForceDeleteWithoutRecovery: nothing to restore)', {
        action: 'secretsmanager:DeleteSecret',
        resource: secretArn,
        context: { 'secretsmanager:ForceDeleteWithoutRecovery': 'true' },
        only: ALL.filter((w) => w !== 'breakGlass'),
      });
    m("secretsmanager:PutResourcePolicy on a secret that is not the stack's", {
      action: 'secretsmanager:PutResourcePolicy',
      resource: arn(i.partition, 'secretsmanager', region, i.accountId, 'secret:team-payments/db-AbCdEf'),
    });
  }
  if (key) {
    m('key policy rewrite, then decrypt directly', {
      action: 'kms:Decrypt',
      resource: key,
      resourcePolicy: OPEN(key),
      context: { 'kms:CallerAccount': i.accountId },
      only: ALL.filter((w) => w !== 'breakGlass'),
    });
    m('kms:CreateGrant on a secret key (a grant carries Decrypt)', {
      action: 'kms:CreateGrant',
      resource: key,
      context: { 'kms:GrantIsForAWSResource': 'false', 'kms:CallerAccount': i.accountId },
      only: ALL.filter((w) => w !== 'deploy' && w !== 'breakGlass'),
    });
  }
  m(
    'adopt or change a bootstrap key (the state key): tag it, re-policy it, grant it',
    {
      action: 'kms:TagResource',
      resource: stateKey,
      context: {
        [`aws:ResourceTag/${i.project}:stack`]: 'bootstrap',
        [`aws:RequestTag/${i.project}:stack`]: 'environment',
        'aws:RequestTag/Environment': i.environment,
        'aws:TagKeys': [`${i.project}:stack`, 'Environment'],
      },
    },
    {
      action: 'kms:PutKeyPolicy',
      resource: stateKey,
      context: { [`aws:ResourceTag/${i.project}:stack`]: 'bootstrap', 'aws:ResourceTag/Environment': i.environment },
    },
    {
      action: 'kms:CreateGrant',
      resource: stateKey,
      context: { [`aws:ResourceTag/${i.project}:stack`]: 'bootstrap', 'kms:GrantIsForAWSResource': 'false' },
    },
  );
  // The bootstrap's own alarms (trail stopped, state key misused) are named like the
  // environment's rules; the deploy role must not silence them.
  const bootstrapRule = arn(i.partition, 'events', i.regions[0], i.accountId, `rule/${stateKeyRuleName(i.prefix, 'trail-changes')}`);
  m(
    'change, disable or delete a bootstrap alarm rule (the trail and state-key watches)',
    ...['events:PutRule', 'events:DeleteRule', 'events:DisableRule', 'events:RemoveTargets', 'events:PutTargets'].map((action) => ({
      action,
      resource: bootstrapRule,
      context: { [`aws:ResourceTag/${i.project}:stack`]: 'bootstrap', 'aws:ResourceTag/Environment': i.environment },
    })),
  );
  // A rotation function is invoked by Secrets Manager only; a permission for another principal
  // lets another account (or everyone) run it with crafted events.
  if (rotationFn)
    m(
      'lambda:AddPermission for another principal than Secrets Manager (another account, or everyone)',
      ...['*', '999988887777', 'events.amazonaws.com'].map((principal) => ({
        action: 'lambda:AddPermission',
        resource: rotationFn.arn,
        context: { 'lambda:Principal': principal },
      })),
    );
  m(
    'remove the stack tag (drop a resource out of the tag-scoped guard)',
    ...(key
      ? [
          {
            action: 'kms:UntagResource',
            resource: key,
            context: {
              'aws:TagKeys': [`${i.project}:stack`],
              [`aws:ResourceTag/${i.project}:stack`]: 'environment',
              'aws:ResourceTag/Environment': i.environment,
            },
          },
        ]
      : []),
  );
  m("state tampering: write another environment's state", {
    action: 's3:PutObject',
    resource: arn(i.partition, 's3', '', '', `${i.state.bucket}/${i.project}/other-environment/terraform.tfstate`),
  });
  if (secret)
    m('mark a value written without writing it (skip the value step)', {
      action: 'secretsmanager:TagResource',
      resource: Object.values(secret.arnByRegion)[0],
      context: { 'aws:TagKeys': [VALUE_WRITTEN_TAG] },
      only: ['planPr', 'plan', 'deploy'],
    });

  const requests: CiRequest[] = [];
  for (const [method, reqs] of methods) {
    for (const r of reqs) {
      for (const who of r.only ?? ALL) {
        if (!own(who)) continue;
        const base = at(r.resource);
        const target: Target = { ...base, ...(r.resourcePolicy ? { resourcePolicy: r.resourcePolicy } : {}) };
        const context = {
          ...(base.tags ? Object.fromEntries(Object.entries(base.tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) : {}),
          ...(r.context ?? {}),
        };
        requests.push({
          job: 'escalation',
          who,
          action: r.action,
          target,
          context,
          expected: false,
          why: method,
          check: 'escalation',
          identityToo: true,
        });
      }
    }
  }
  return {
    requests,
    methods: [
      ...methods.keys(),
      'roles the deploy role can create or change: the workload boundary caps them (workloadEscalation)',
      'rotation credentials outside their function (workloadEscalation)',
    ],
  };
}

/**
 * Roles the deploy role can create or change: whatever their own policies say (`*:*` here), the
 * workload boundary keeps them from IAM, STS, compute, policies and keys; a rotation role's
 * credentials read nothing outside a rotation function.
 */
export async function workloadEscalation(p: CiProofInput, sim: CiSimulator): Promise<CiFinding[]> {
  const i = p.input;
  const wb = p.ci.workloadBoundary;
  if (!wb)
    return [
      {
        stack: p.stack,
        check: 'workload',
        job: 'bootstrap',
        principal: p.ci.stack,
        action: 'iam:CreatePolicy',
        resource: `${i.project}-workload-boundary`,
        expected: 'Allowed',
        actual: 'Denied',
        why: 'the bootstrap stack creates no workload boundary',
        decidedBy: 'missing',
      },
    ];
  const findings: CiFinding[] = [];
  const star = {
    name: 'escalated-inline-policy',
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } as PolicyDoc,
  };
  const probe = (name: string): CiRole => ({
    who: 'deploy',
    name,
    arn: roleArn(i.partition, i.accountId, name, i.workloadRolePath),
    trust: { Version: '2012-10-17', Statement: [] },
    identity: [star],
    boundary: { name: wb.name, policy: wb.policy },
  });
  const ecs = probe(`${i.prefix}-escalated-ecs-task`);
  const rotation = probe(`${i.prefix}-secrets-rotation-escalated-role`);
  const secret = p.env.secrets()[0];
  const env = p.env;
  // The role's own policies and the workload boundary alone (no resource policy to help or hinder).
  const check = async (
    role: CiRole,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
    expected: boolean,
    why: string,
  ) => {
    const t = { ...env.at(resource), resourcePolicy: undefined };
    const d = await sim.decide(role, action, t, context, 'all');
    if (d.allowed !== expected)
      findings.push({
        stack: p.stack,
        check: 'workload',
        job: 'a role the deploy role created, with *:* inline',
        principal: role.name,
        action,
        resource,
        expected: expected ? 'Allowed' : 'Denied',
        actual: d.allowed ? 'Allowed' : 'Denied',
        why,
        decidedBy: await sim.confirm(role, action, t, context, 'all', d),
      });
  };
  const iam = (r: string) => arn(i.partition, 'iam', '', i.accountId, r);
  for (const role of [ecs, rotation]) {
    for (const [action, resource] of [
      ['iam:CreateRole', iam(`role/${i.prefix}-x`)],
      ['iam:PutRolePolicy', role.arn],
      ['iam:AttachRolePolicy', role.arn],
      ['iam:CreateAccessKey', iam('user/administrator')],
      ['iam:UpdateAssumeRolePolicy', role.arn],
      ['iam:PassRole', role.arn],
      ['sts:AssumeRole', iam('role/secrets-platform-deploy')],
      ['ec2:RunInstances', '*'],
      ['lambda:CreateFunction', '*'],
      [
        'lambda:UpdateFunctionCode',
        arn(i.partition, 'lambda', i.regions[0], i.accountId, `function:${i.prefix}-secrets-rotation-generated`),
      ],
      ['kms:PutKeyPolicy', arn(i.partition, 'kms', i.regions[0], i.accountId, 'key/0123abcd-0000-4000-8000-000000000001')],
      ['secretsmanager:PutResourcePolicy', secret ? Object.values(secret.arnByRegion)[0] : '*'],
      ['s3:GetObject', arn(i.partition, 's3', '', '', `${i.state.bucket}/${i.state.key}`)],
    ] as const) {
      await check(
        role,
        action,
        resource,
        {
          'lambda:SourceFunctionArn': arn(
            i.partition,
            'lambda',
            i.regions[0],
            i.accountId,
            `function:${i.prefix}-secrets-rotation-generated`,
          ),
        },
        false,
        'the workload boundary caps every role the deploy role creates or changes',
      );
    }
  }
  if (secret) {
    const s = Object.values(secret.arnByRegion)[0];
    await check(
      rotation,
      'secretsmanager:GetSecretValue',
      s,
      { 'secretsmanager:VersionStage': 'AWSCURRENT' },
      false,
      'rotation credentials used outside a Lambda function (re-trusted role, leaked session)',
    );
    await check(
      rotation,
      'secretsmanager:GetSecretValue',
      s,
      {
        'secretsmanager:VersionStage': 'AWSCURRENT',
        'lambda:SourceFunctionArn': arn(i.partition, 'lambda', i.regions[0], i.accountId, 'function:someone-elses-function'),
      },
      false,
      'rotation credentials used from a function that is not a rotation function',
    );
    await check(
      rotation,
      'secretsmanager:GetSecretValue',
      s,
      {
        'secretsmanager:VersionStage': 'AWSCURRENT',
        'lambda:SourceFunctionArn': arn(
          i.partition,
          'lambda',
          i.regions[0],
          i.accountId,
          `function:${i.prefix}-secrets-rotation-generated`,
        ),
      },
      true,
      'a rotation function reads (its secret policy still decides which secrets)',
    );
  }
  return findings;
}

// ---------------------------------------------------------------------------------------------
// Trust: web identity (evaluated here: iam-simulate drops the OIDC keys) and humans (simulated)

interface Token {
  name: string;
  claims: Record<string, string>;
}

function tokens(p: CiProofInput): Token[] {
  const g = p.input.github;
  const e = p.input.environment;
  const base = { aud: 'sts.amazonaws.com', repository_id: g.repositoryId, repository_owner_id: g.ownerId };
  const tok = (name: string, sub: string, workflow: string, ref: string, over: Partial<Record<string, string>> = {}): Token => ({
    name,
    claims: { ...base, sub: `repo:${g.repository}:${sub}`, job_workflow_ref: `${g.repository}/${workflow}@${ref}`, ...over } as Record<
      string,
      string
    >,
  });
  const main = 'refs/heads/main';
  return [
    tok('pull request', 'pull_request:ref:refs/pull/42/merge', WORKFLOWS.pullRequest, 'refs/pull/42/merge'),
    tok('main plan', `environment:${e}-plan:ref:${main}`, WORKFLOWS.deploy, main),
    tok('apply', `environment:${e}:ref:${main}`, WORKFLOWS.deploy, main),
    tok('values job', `environment:${e}:ref:${main}`, WORKFLOWS.values, main),
    tok('apply from another branch', `environment:${e}:ref:refs/heads/feature`, WORKFLOWS.deploy, 'refs/heads/feature'),
    tok('apply from a re-created repository of the same name', `environment:${e}:ref:${main}`, WORKFLOWS.deploy, main, {
      repository_id: '1',
    }),
    tok('apply from a repository of the same name under a new owner', `environment:${e}:ref:${main}`, WORKFLOWS.deploy, main, {
      repository_owner_id: '1',
    }),
    tok('values job of another environment', `environment:other:ref:${main}`, WORKFLOWS.values, main),
    tok('a token for another audience', `environment:${e}:ref:${main}`, WORKFLOWS.deploy, main, { aud: 'https://example.com' }),
    tok(
      'a pull request workflow asking for the PR role from a feature branch push',
      'ref:refs/heads/feature',
      WORKFLOWS.pullRequest,
      'refs/heads/feature',
    ),
  ];
}

/** Which token each pipeline role must accept; every other token must be refused. */
const ACCEPTS: Record<string, string> = { planPr: 'pull request', plan: 'main plan', deploy: 'apply', values: 'values job' };

function acceptsToken(trust: PolicyDoc, oidcArn: string, t: Token): { ok: boolean; problem?: string } {
  let ok = false;
  for (const st of trust.Statement) {
    if (st.Effect !== 'Allow') return { ok: false, problem: `statement ${st.Sid ?? '?'} is not an Allow (not evaluated)` };
    const fed = st.Principal?.Federated;
    if ([st.Action].flat().some((a: string) => a !== 'sts:AssumeRoleWithWebIdentity'))
      return { ok: false, problem: `statement ${st.Sid ?? '?'} allows ${st.Action}` };
    if (fed !== oidcArn)
      return { ok: false, problem: `statement ${st.Sid ?? '?'} trusts ${JSON.stringify(st.Principal)}, not the GitHub OIDC provider` };
    let match = true;
    for (const [op, kv] of Object.entries<Record<string, string | string[]>>(st.Condition ?? {})) {
      if (op !== 'StringEquals' && op !== 'StringLike')
        return { ok: false, problem: `condition operator ${op} is not evaluated by the proof` };
      for (const [k, want] of Object.entries(kv)) {
        if (!k.startsWith(`${GITHUB_OIDC_HOST}:`)) return { ok: false, problem: `condition key ${k} is not a GitHub claim` };
        const have = t.claims[k.slice(GITHUB_OIDC_HOST.length + 1)];
        const wants = [want].flat();
        if (
          have === undefined ||
          !wants.some((w) =>
            op === 'StringEquals'
              ? w === have
              : new RegExp(
                  `^${w
                    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                    .replace(/\*/g, '.*')
                    .replace(/\?/g, '.')}$`,
                ).test(have),
          )
        )
          match = false;
      }
    }
    const keys = Object.values<Record<string, unknown>>(st.Condition ?? {}).flatMap((kv) => Object.keys(kv));
    for (const required of ['aud', 'sub', 'repository_id', 'repository_owner_id', 'job_workflow_ref']) {
      if (!keys.includes(`${GITHUB_OIDC_HOST}:${required}`))
        return { ok: false, problem: `the trust does not pin ${GITHUB_OIDC_HOST}:${required}` };
    }
    if (match) ok = true;
  }
  return { ok };
}

export async function trustFindings(p: CiProofInput, sim: CiSimulator): Promise<CiFinding[]> {
  const out: CiFinding[] = [];
  const oidc = p.ci.oidcProviderArn ?? p.input.oidcProviderArn;
  for (const [who, accepted] of Object.entries(ACCEPTS)) {
    const role = p.ci.roles.get(who as CiPrincipal);
    if (!role) continue;
    for (const t of tokens(p)) {
      const r = acceptsToken(role.trust, oidc, t);
      const expected = t.name === accepted;
      if (r.problem || r.ok !== expected) {
        out.push({
          stack: p.stack,
          check: 'trust',
          job: t.name,
          principal: role.name,
          action: 'sts:AssumeRoleWithWebIdentity',
          resource: role.arn,
          expected: expected ? 'Allowed' : 'Denied',
          actual: r.ok ? 'Allowed' : 'Denied',
          why: `GitHub token: ${t.name}`,
          decidedBy: r.problem ?? 'the trust policy conditions',
        });
      }
    }
  }
  // Humans: an IAM Identity Center role of the named permission set, or an MFA principal.
  const i = p.input;
  for (const who of ['breakGlass', 'operator'] as const) {
    const role = p.ci.roles.get(who);
    if (!role) continue;
    const h = i.humans[who];
    const callers: Array<[string, string, Record<string, string>, boolean]> = [];
    const sso = (set: string) =>
      roleArn(i.partition, i.accountId, `AWSReservedSSO_${set}_0123456789abcdef`, `/aws-reserved/sso.amazonaws.com/${i.regions[0]}/`);
    if (h.permissionSet) callers.push([`the ${h.permissionSet} permission set`, sso(h.permissionSet), {}, true]);
    callers.push(['another permission set', sso('AdministratorAccess'), {}, false]);
    for (const m of h.mfaPrincipals ?? []) {
      callers.push([`${m} with MFA`, m, { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '300' }, true]);
      callers.push([`${m} without MFA`, m, { 'aws:MultiFactorAuthPresent': 'false' }, false]);
    }
    for (const [, other] of p.ci.roles) if (other.who !== who) callers.push([`the ${other.name} role`, other.arn, {}, false]);
    callers.push(['a role of another account', roleArn(i.partition, '999988887777', 'admin'), {}, false]);
    for (const [name, caller, ctx, expected] of callers) {
      const callerRole: CiRole = {
        who,
        name,
        arn: caller,
        trust: { Version: '2012-10-17', Statement: [] },
        identity: [
          {
            name: 'may-assume-anything',
            policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
          },
        ],
      };
      const t = { resource: role.arn, region: i.regions[0], context: {}, resourcePolicy: role.trust };
      const d = await sim.decide(callerRole, 'sts:AssumeRole', t, ctx, 'all');
      if (d.allowed !== expected)
        out.push({
          stack: p.stack,
          check: 'trust',
          job: name,
          principal: role.name,
          action: 'sts:AssumeRole',
          resource: role.arn,
          expected: expected ? 'Allowed' : 'Denied',
          actual: d.allowed ? 'Allowed' : 'Denied',
          why: `${name} assumes ${role.name}`,
          decidedBy: await sim.confirm(callerRole, 'sts:AssumeRole', t, ctx, 'all', d),
        });
    }
  }
  return out;
}

/** Code signing: Enforce, one publisher, and every function of the environment deploys under it. */
export function codeSigningFindings(p: CiProofInput): CiFinding[] {
  const out: CiFinding[] = [];
  const bad = (resource: string, why: string) =>
    out.push({
      stack: p.stack,
      check: 'code-signing',
      job: 'bootstrap',
      principal: p.ci.stack,
      action: 'lambda:CreateCodeSigningConfig',
      resource,
      expected: 'Denied',
      actual: 'Allowed',
      why,
      decidedBy: 'the synthesized configuration',
    });
  if (p.ci.codeSigning.length !== 1)
    bad(
      'aws_lambda_code_signing_config',
      `the bootstrap declares ${p.ci.codeSigning.length} code-signing configs; exactly one (Enforce) is expected`,
    );
  for (const c of p.ci.codeSigning) {
    if (c.mode !== 'Enforce')
      bad(
        `aws_lambda_code_signing_config.${c.logical}`,
        `code signing allows ${c.mode}: unsigned or foreign code would deploy (untrusted_artifact_on_deployment must be Enforce)`,
      );
    if (c.publishers.length !== 1)
      bad(
        `aws_lambda_code_signing_config.${c.logical}`,
        `${c.publishers.length} allowed publishers; exactly the bootstrap's Signer profile is expected`,
      );
  }
  const expected = estimatedCodeSigningConfigArn(p.input.partition, p.input.regions[0], p.input.accountId);
  for (const f of p.env.functions()) {
    if (f.codeSigningConfigArn !== expected)
      bad(f.arn, `the function deploys under ${f.codeSigningConfigArn ?? 'no code-signing config'}, not the bootstrap's`);
  }
  return out;
}

/** Every role the environment stack creates: under the workload path, with the workload boundary. */
export function workloadFindings(p: CiProofInput): CiFinding[] {
  const wb = arn(p.input.partition, 'iam', '', p.input.accountId, `policy/${p.input.project}-workload-boundary`);
  return p.env
    .roles()
    .filter((r) => r.path !== p.input.workloadRolePath || r.boundary !== wb)
    .map((r) => ({
      stack: p.stack,
      check: 'workload' as const,
      job: 'deploy-environment.yml apply',
      principal: 'secrets-platform-deploy',
      action: 'iam:CreateRole',
      resource: r.arn,
      expected: 'Denied' as const,
      actual: 'Allowed' as const,
      why: `the stack creates role ${r.name} with path ${r.path} and boundary ${r.boundary ?? 'none'}; every workload role needs path ${p.input.workloadRolePath} and ${wb}`,
      decidedBy: 'the synthesized role',
    }));
}
