/** A thin wrapper over iam-simulate for builder tests: does AWS allow this request? */
import { runSimulation } from '@cloud-copilot/iam-simulate';

const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export interface Ask {
  principal: string;
  action: string;
  resource: string;
  resourceAccount: string;
  resourcePolicy?: unknown;
  identity?: unknown;
  endpointPolicy?: unknown;
  context?: Record<string, string | string[]>;
}

export async function allowed(a: Ask): Promise<boolean> {
  const first = await simulate(a);
  // Actions on no resource (kms:ListAliases) are asked with Resource "*", as AWS authorizes them.
  return first === 'wildcard' ? (await simulate({ ...a, resource: '*' })) === true : first === true;
}

async function simulate(a: Ask): Promise<boolean | 'wildcard'> {
  const account = a.principal.split(':')[4];
  const service = !a.principal.startsWith('arn:');
  const r = await runSimulation(
    {
      request: {
        principal: a.principal,
        action: a.action,
        resource: { resource: a.resource, accountId: a.resourceAccount },
        contextVariables: service
          ? { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': a.principal, ...(a.context ?? {}) }
          : {
              'aws:PrincipalArn': a.principal,
              'aws:PrincipalAccount': account,
              'aws:PrincipalIsAWSService': 'false',
              ...(a.context ?? {}),
            },
      },
      identityPolicies: service ? [] : [{ name: 'identity', policy: a.identity ?? ADMIN }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: a.resourcePolicy,
      vpcEndpointPolicies: a.endpointPolicy ? [{ name: 'endpoint', policy: a.endpointPolicy }] : undefined,
    },
    {},
  );
  if (r.resultType === 'error') {
    if (r.errors.message === 'must.use.wildcard') return 'wildcard';
    throw new Error(JSON.stringify(r.errors));
  }
  return r.overallResult === 'Allowed';
}
