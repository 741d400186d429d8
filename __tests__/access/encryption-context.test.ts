/**
 * iam-simulate drops context keys named `kms:EncryptionContext:<key>`, so the access proof cannot
 * evaluate statements conditioned on them; it lists them instead (`npm run access` prints the
 * list). Today that is one statement per stack: the monitoring key's `CloudWatchLogsEncryption`,
 * which lets CloudWatch Logs use the key for the rotation functions' and ECS services' log groups.
 * This test covers those statements another way: it finds every such statement in every stack,
 * requires the shape we rely on, and evaluates the ArnLike condition itself against
 * the stack's own log groups (must match) and a log group of someone else in this account and
 * Region, or of another account or Region (must not).
 */
import { teamCatalogs } from '../support/fixtures';
import { encryptionContextStatements } from '../../tools/access/proof';
import { loadStack, type TfJson } from '../../tools/access/model';
import { synth } from '../support/synth';

/** IAM's ArnLike: `*` and `?` wildcards, matched per ARN component. */
function arnLike(value: string, pattern: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
  return re.test(value);
}

// The fixture team (every key kind, replicas in two regions, ECS services and rotation functions).
const ENVIRONMENTS = teamCatalogs();
let stacks: Record<string, TfJson>;
beforeAll(() => {
  stacks = synth(ENVIRONMENTS).stacks as Record<string, TfJson>;
});

test.each(['dev', 'staging', 'production'])(
  '%s: every kms:EncryptionContext statement pins CloudWatch Logs to our own log groups',
  (name) => {
    const model = loadStack(name, stacks[name]);
    const listed = encryptionContextStatements(model);
    expect(listed).toEqual([expect.stringMatching(/^aws_kms_key\.key-monitoring_key_\w+ "CloudWatchLogsEncryption"$/)]);
    for (const doc of model.documents) {
      for (const st of doc.policy.Statement) {
        const text = JSON.stringify(st.Condition ?? {});
        if (!text.includes('kms:EncryptionContext:')) continue;
        expect(st.Effect).toBe('Allow');
        expect(st.Principal).toEqual({ Service: `logs.${model.region}.amazonaws.com` });
        expect(Object.keys(st.Condition)).toEqual(['ArnLike']);
        const patterns: string[] = [st.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']].flat();
        expect(patterns.length).toBeGreaterThan(0);
        // Every log group the stack encrypts with the key (rotation functions, ECS services) matches;
        // a log group that is not the stack's does not, in this account and Region or any other.
        const ours = Object.values<{ name: string; kms_key_id?: string }>(stacks[name].resource?.aws_cloudwatch_log_group ?? {}).filter(
          (g) => /key-monitoring/.test(g.kms_key_id ?? ''),
        );
        expect(ours.length).toBeGreaterThan(0);
        for (const g of ours) {
          const a = `arn:aws:logs:${model.region}:${model.account}:log-group:${g.name}`;
          expect([a, patterns.some((p) => arnLike(a, p))]).toEqual([a, true]);
        }
        const notOurs = [
          `arn:aws:logs:${model.region}:${model.account}:log-group:/aws/lambda/team-payments-api`,
          `arn:aws:logs:${model.region}:${model.account}:log-group:/ecs/team-payments`,
          `arn:aws:logs:${model.region}:999988887777:log-group:${ours[0].name}`,
          `arn:aws:logs:eu-west-1:${model.account}:log-group:${ours[0].name}`,
        ];
        for (const a of notOurs) expect([a, patterns.some((p) => arnLike(a, p))]).toEqual([a, false]);
      }
    }
  },
);
