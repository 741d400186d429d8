/**
 * The access proof must reject policy bugs that unit tests of single statements and checkov let
 * through. Each case plants one bug into the fixture team's synthesized production stack
 * (__tests__/support/fixtures.ts) and runs the proof
 * (focused on the secrets the bug touches, so the suite stays fast); the proof must name the
 * principal, the action and the secret. A clean run over the same secrets finds nothing, so every
 * finding below is the planted bug's.
 */
import type { Finding } from '../../tools/access/proof';
import { proveStack } from '../../tools/access/run';
import type { TfJson } from '../../tools/access/model';
import { planEnvironment } from '../../plan/plan';
import { FIXTURE_ACCOUNTS, teamEnvironment } from '../support/fixtures';
import { synth } from '../support/synth';

const production = teamEnvironment('production');
const PROD = FIXTURE_ACCOUNTS.production;

jest.setTimeout(60_000);

let base: TfJson;
beforeAll(() => {
  base = synth([production]).stacks.production as TfJson;
});

// A PostgreSQL master, a MySQL rotation admin (a master too), the application login shared with the
// apps account, and the vendor key shared with the partner.
const MASTER = 'prod/orders/postgres/master-credentials';
const ROTATION_ADMIN = 'prod/billing/mysql/rotation-admin';
const APP = 'prod/orders/postgres/app-credentials';
const VENDOR_KEY = 'prod/payments/vendor/api-key';
const SCOPE = [MASTER, ROTATION_ADMIN, APP, VENDOR_KEY];

type Res = Record<string, any>;
const res = (tf: TfJson, type: string): Res => tf.resource![type];
const find = (tf: TfJson, type: string, pred: (b: any, name: string) => boolean): [string, any] => {
  const hit = Object.entries(res(tf, type)).find(([n, b]) => pred(b, n));
  if (!hit) throw new Error(`no ${type} matches`);
  return hit;
};
const secretLogical = (tf: TfJson, name: string) => find(tf, 'aws_secretsmanager_secret', (b) => b.name === name)[0];
const keyLogical = (tf: TfJson, category: string) => find(tf, 'aws_kms_key', (_b, n) => n.startsWith(`key-${category}_key_`))[0];
const editPolicy = (body: any, field: string, edit: (doc: any) => void) => {
  const doc = JSON.parse(body[field]);
  edit(doc);
  body[field] = JSON.stringify(doc);
};
const secretPolicy = (tf: TfJson, name: string) =>
  find(tf, 'aws_secretsmanager_secret_policy', (b) => b.secret_arn === `\${aws_secretsmanager_secret.${secretLogical(tf, name)}.arn}`)[1];
const rolePolicy = (tf: TfJson, roleName: string) => {
  const [logical] = find(tf, 'aws_iam_role', (b) => b.name === roleName);
  return find(tf, 'aws_iam_role_policy', (b) => b.role === `\${aws_iam_role.${logical}.name}`)[1];
};

async function findingsWith(plant: (tf: TfJson) => void, secrets = SCOPE): Promise<Finding[]> {
  const tf: TfJson = JSON.parse(JSON.stringify(base));
  plant(tf);
  const plan = planEnvironment(production);
  const { result } = await proveStack('production', tf, plan, { secrets: (n) => secrets.includes(n) });
  return result.findings;
}

function expectFinding(
  findings: Finding[],
  want: { check?: string; principal: string; action: string; target: string; expected?: string },
) {
  const hit = findings.find(
    (f) =>
      (!want.check || f.check === want.check) &&
      f.principal.includes(want.principal) &&
      f.action.includes(want.action) &&
      f.target.includes(want.target) &&
      (!want.expected || f.expected === want.expected),
  );
  if (!hit)
    throw new Error(
      `no finding for ${JSON.stringify(want)}; got:\n${findings
        .slice(0, 20)
        .map((f) => JSON.stringify(f))
        .join('\n')}`,
    );
  expect(hit.decidedBy.length).toBeGreaterThan(0);
}

test('the unmodified stack passes (the baseline every planted bug departs from)', async () => {
  expect(await findingsWith(() => undefined)).toEqual([]);
});

test('1. unconditioned kms:Decrypt for the account root in a key policy', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(res(tf, 'aws_kms_key')[keyLogical(tf, 'database')], 'policy', (d) =>
        d.Statement.push({
          Sid: 'PlantedRootDecrypt',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${PROD}:root` },
          Action: 'kms:Decrypt',
          Resource: '*',
        }),
      ),
    [MASTER],
  );
  expectFinding(f, { check: 'kms', principal: 'account-admin-probe', action: 'kms:Decrypt (direct', target: MASTER });
  expect(f.find((x) => x.action.startsWith('kms:Decrypt (direct'))!.decidedBy).toContain('PlantedRootDecrypt');
});

test('2. endpoint client CIDRs 0.0.0.0/1 and 128.0.0.0/1', async () => {
  const f = await findingsWith(
    (tf) => {
      const [, rule] = find(tf, 'aws_vpc_security_group_ingress_rule', (b) => !!b.referenced_security_group_id);
      for (const [i, cidr] of ['0.0.0.0/1', '128.0.0.0/1'].entries()) {
        res(tf, 'aws_vpc_security_group_ingress_rule')[`planted_${i}`] = {
          security_group_id: rule.security_group_id,
          ip_protocol: 'tcp',
          from_port: 443,
          to_port: 443,
          cidr_ipv4: cidr,
        };
      }
    },
    [MASTER],
  );
  expectFinding(f, { check: 'network', principal: '0.0.0.0/1', action: 'HTTPS', target: MASTER });
  expectFinding(f, { check: 'network', principal: '128.0.0.0/1', action: 'HTTPS', target: MASTER });
});

test('3. a task role with PutSecretValue on the database master and no kms:ViaService', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(rolePolicy(tf, 'prod-orders-api-ecs-task'), 'policy', (d) => {
        d.Statement.push({
          Sid: 'PlantedWrite',
          Effect: 'Allow',
          Action: 'secretsmanager:PutSecretValue',
          Resource: `\${aws_secretsmanager_secret.${secretLogical(tf, MASTER)}.arn}`,
        });
        d.Statement.push({
          Sid: 'PlantedKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: `\${aws_kms_key.${keyLogical(tf, 'database')}.arn}`,
        });
      }),
    [MASTER],
  );
  expectFinding(f, { check: 'identity', principal: 'prod-orders-api-ecs-task', action: 'secretsmanager:PutSecretValue', target: MASTER });
  expectFinding(f, { check: 'identity', principal: 'prod-orders-api-ecs-task', action: 'kms:Decrypt (direct', target: MASTER });
});

test('4. a secret policy without its deny-by-default read statement', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(
        secretPolicy(tf, MASTER),
        'policy',
        (d) => (d.Statement = d.Statement.filter((s: any) => s.Sid !== 'DenyValueReadsToUnnamed')),
      ),
    [MASTER],
  );
  expectFinding(f, { check: 'secretsmanager', principal: 'account-admin-probe', action: 'GetSecretValue (AWSCURRENT)', target: MASTER });
  expectFinding(f, { check: 'combined', principal: 'account-admin-probe', action: 'GetSecretValue (AWSCURRENT)', target: MASTER });
});

test('5. a consumer role pinned by a wildcard (role/*) instead of its name', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(secretPolicy(tf, APP), 'policy', (d) => {
        for (const s of d.Statement) {
          for (const op of ['ArnLike', 'ArnNotLike']) {
            const list = s.Condition?.[op]?.['aws:PrincipalArn'];
            if (list) s.Condition[op]['aws:PrincipalArn'] = list.map((a: string) => a.replace(/role\/(orders|batch)-reader$/, 'role/*'));
          }
        }
      }),
    [APP],
  );
  expectFinding(f, {
    check: 'secretsmanager',
    principal: `${FIXTURE_ACCOUNTS.apps}:role/unnamed-role-probe`,
    action: 'GetSecretValue (AWSCURRENT)',
    target: APP,
  });
});

test('6. a cross-account read without the AWSCURRENT stage condition', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(secretPolicy(tf, VENDOR_KEY), 'policy', (d) => {
        for (const s of d.Statement) if (s.Condition?.StringEquals) delete s.Condition.StringEquals['secretsmanager:VersionStage'];
      }),
    [VENDOR_KEY],
  );
  expectFinding(f, { check: 'secretsmanager', principal: 'partner-gateway', action: 'GetSecretValue (AWSPREVIOUS)', target: VENDOR_KEY });
});

test('7. a cross-account key statement without aws:PrincipalArn', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(res(tf, 'aws_kms_key')[keyLogical(tf, 'api-keys')], 'policy', (d) => {
        for (const s of d.Statement) if (String(s.Sid).startsWith('CrossAccountDecrypt')) delete s.Condition.ArnLike;
      }),
    [VENDOR_KEY],
  );
  expectFinding(f, {
    check: 'kms',
    principal: `${FIXTURE_ACCOUNTS.partner}:role/unnamed-role-probe`,
    action: 'kms:Decrypt via Secrets Manager',
    target: VENDOR_KEY,
  });
});

test('8. kms:CreateGrant back among the unconditioned administration actions', async () => {
  const f = await findingsWith(
    (tf) => editPolicy(res(tf, 'aws_kms_key')[keyLogical(tf, 'database')], 'policy', (d) => d.Statement[0].Action.push('kms:CreateGrant')),
    [MASTER],
  );
  expectFinding(f, { check: 'kms', principal: 'account-admin-probe', action: 'kms:CreateGrant (not for an AWS resource)', target: MASTER });
});

test('9. an ECS execution role widened to every secret of the environment', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(rolePolicy(tf, 'prod-orders-api-ecs-execution'), 'policy', (d) => {
        d.Statement.find((s: any) => s.Sid === 'ReadSecrets').Resource = `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/*`;
      }),
    [ROTATION_ADMIN],
  );
  expectFinding(f, { check: 'identity', principal: 'prod-orders-api-ecs-execution', action: 'GetSecretValue', target: ROTATION_ADMIN });
});

test('10. a rotation role that reads a master it does not rotate', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(rolePolicy(tf, 'prod-secrets-rotation-generated-role'), 'policy', (d) =>
        d.Statement.push({
          Sid: 'PlantedRead',
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: `\${aws_secretsmanager_secret.${secretLogical(tf, ROTATION_ADMIN)}.arn}`,
        }),
      ),
    [ROTATION_ADMIN],
  );
  expectFinding(f, {
    check: 'identity',
    principal: 'prod-secrets-rotation-generated-role',
    action: 'GetSecretValue',
    target: ROTATION_ADMIN,
  });
});

test('11. an endpoint policy open to every account', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(Object.values(res(tf, 'aws_vpc_endpoint'))[0], 'policy', (d) => {
        for (const s of d.Statement) delete s.Condition;
      }),
    [MASTER],
  );
  expectFinding(f, {
    check: 'endpoint',
    principal: 'outside-account-probe',
    action: 'GetSecretValue through our endpoint',
    target: MASTER,
  });
});

test('12. deny-by-default statements that also deny AWS services (replication and rotation break)', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(secretPolicy(tf, APP), 'policy', (d) => {
        for (const s of d.Statement) if (s.Effect === 'Deny') delete s.Condition.BoolIfExists;
      }),
    [APP],
  );
  expectFinding(f, { check: 'service', principal: 'secretsmanager.amazonaws.com', action: 'PutSecretValue', target: APP });
});

test('13. a rotation role missing from the value-write exemption (rotation would fail)', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(secretPolicy(tf, APP), 'policy', (d) => {
        const s = d.Statement.find((x: any) => x.Sid === 'DenyValueWritesToUnnamed');
        s.Condition.ArnNotLike['aws:PrincipalArn'] = s.Condition.ArnNotLike['aws:PrincipalArn'].filter(
          (a: string) => !a.includes('rotation'),
        );
      }),
    [APP],
  );
  expectFinding(f, {
    check: 'secretsmanager',
    principal: 'prod-secrets-rotation-postgres-alternating-users-role',
    action: 'PutSecretValue',
    target: APP,
    expected: 'Allowed',
  });
});

test('14. a key statement for the account that lost kms:ViaService', async () => {
  const f = await findingsWith(
    (tf) =>
      editPolicy(res(tf, 'aws_kms_key')[keyLogical(tf, 'database')], 'policy', (d) => {
        delete d.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices').Condition.StringEquals['kms:ViaService'];
      }),
    [ROTATION_ADMIN],
  );
  expectFinding(f, { check: 'kms', principal: 'account-admin-probe', action: 'kms:Decrypt (direct', target: ROTATION_ADMIN });
});
