/**
 * iam-simulate drops context keys named `kms:EncryptionContext:<key>`, so the access proof cannot
 * evaluate statements conditioned on them; it lists them instead (`npm run access` prints the
 * list). Today that is one statement per stack: the monitoring key's `CloudWatchLogsEncryption`,
 * which lets CloudWatch Logs use the key for the rotation functions' and ECS services' log groups.
 * This test covers those statements another way: it finds every such statement in every stack,
 * requires the shape we rely on, and evaluates the ArnLike condition itself against log groups of
 * this account and Region (must match) and of another account or Region (must not).
 */
import { teamCatalogs } from '../support/fixtures';
import { encryptionContextStatements } from '../../tools/access/proof';
import { loadStack, TfJson } from '../../tools/access/model';
import { synth } from '../support/synth';

/** IAM's ArnLike: `*` and `?` wildcards, matched per ARN component. */
function arnLike(value: string, pattern: string): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
  return re.test(value);
}

// The fixture team (every key kind, replicas in two regions, ECS services and rotation functions).
const ENVIRONMENTS = teamCatalogs();
let stacks: Record<string, TfJson>;
beforeAll(() => {
  stacks = synth(ENVIRONMENTS).stacks as Record<string, TfJson>;
});

test.each(['dev', 'staging', 'production'])('%s: every kms:EncryptionContext statement pins CloudWatch Logs to our own log groups', (name) => {
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
      const ours = `arn:aws:logs:${model.region}:${model.account}:log-group:/aws/lambda/${name}-secrets-rotation-generated`;
      const otherAccount = `arn:aws:logs:${model.region}:999988887777:log-group:/aws/lambda/x`;
      const otherRegion = `arn:aws:logs:eu-west-1:${model.account}:log-group:/aws/lambda/x`;
      expect(patterns.some((p) => arnLike(ours, p))).toBe(true);
      expect(patterns.some((p) => arnLike(otherAccount, p))).toBe(false);
      expect(patterns.some((p) => arnLike(otherRegion, p))).toBe(false);
    }
  }
});
