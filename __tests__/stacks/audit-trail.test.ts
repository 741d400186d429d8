/**
 * The alarms need CloudTrail to deliver management events to EventBridge, which it does only
 * while a trail logs in the account. The bootstrap (state-backend stack, one per account) creates
 * that trail rather than assuming one, watches it, and the environment's alerts topic admits the
 * watching rules.
 */
import { teamCatalogs } from '../support/fixtures';
import { only, parsePolicy, resources, synth, type Synthesized } from '../support/synth';

// The fixture team (__tests__/support/fixtures.ts): three environments, every kind of resource.
const ENVIRONMENTS = teamCatalogs();

let out: Synthesized;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (name, env) => {
  const stack = () => out.stacks[`state-backend-${name}`];
  const trailArn = `arn:aws:cloudtrail:${env.region}:${env.accountId}:trail/secrets-platform-management-events`;

  test('one trail: every Region, global services, read and write management events, validated, encrypted with its own key', () => {
    const trail = only(stack(), 'aws_cloudtrail', () => true);
    expect(trail).toMatchObject({
      name: 'secrets-platform-management-events',
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
      enable_logging: true,
    });
    expect(trail.event_selector).toEqual([expect.objectContaining({ read_write_type: 'All', include_management_events: true })]);
    // State and artifacts reads and writes are recorded too (the checkov CKV_AWS_18 skip relies on it).
    expect(trail.event_selector[0].data_resource).toEqual([
      {
        type: 'AWS::S3::Object',
        values: [
          `arn:aws:s3:::secrets-platform-tfstate-${env.accountId}-${env.region}/`,
          `arn:aws:s3:::secrets-platform-artifacts-${env.accountId}-${env.region}/`,
        ],
      },
    ]);
    const keyName = /aws_kms_key\.([^.]+)\.arn/.exec(trail.kms_key_id)![1];
    const aliases = resources(stack(), 'aws_kms_alias')
      .filter(([, a]) => a.target_key_id.includes(keyName))
      .map(([, a]) => a.name);
    expect(aliases).toEqual(['alias/secrets-platform/audit']);
    // CloudTrail checks its bucket policy at creation: the trail waits for it.
    const [bucketPolicyName] = resources(stack(), 'aws_s3_bucket_policy').find(([, p]) => p.bucket.includes('audit'))!;
    expect(trail.depends_on).toEqual([`aws_s3_bucket_policy.${bucketPolicyName}`]);
  });

  test('its key: CloudTrail encrypts for this trail only; people decrypt log files through S3 only', () => {
    const trail = only(stack(), 'aws_cloudtrail', () => true);
    const keyName = /aws_kms_key\.([^.]+)\.arn/.exec(trail.kms_key_id)![1];
    const doc = parsePolicy(stack().resource!.aws_kms_key[keyName].policy);
    const ct = doc.Statement.filter((s: any) => s.Principal?.Service === 'cloudtrail.amazonaws.com');
    expect(ct.map((s: any) => s.Action).sort()).toEqual(['kms:DescribeKey', 'kms:GenerateDataKey']);
    for (const s of ct) expect(s.Condition.StringEquals['aws:SourceArn']).toBe(trailArn);
    expect(ct.find((s: any) => s.Action === 'kms:GenerateDataKey').Condition.StringLike).toEqual({
      'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${env.accountId}:trail/*`,
    });
    const use = doc.Statement.find((s: any) => s.Sid === 'AccountPrincipalsThroughServices');
    expect(use.Condition.StringEquals['kms:ViaService']).toEqual([`s3.${env.region}.amazonaws.com`]);
    expect(doc.Statement.some((s: any) => s.Effect === 'Allow' && (s.Action === 'kms:*' || s.Action === '*'))).toBe(false);
  });

  test("its bucket: TLS only; CloudTrail of this trail writes this account's log files, owner-controlled, nothing else", () => {
    const policy = resources(stack(), 'aws_s3_bucket_policy').find(([, p]) => p.bucket.includes('audit'))![1];
    const doc = parsePolicy(policy.policy);
    const bucket = `arn:aws:s3:::secrets-platform-audit-${env.accountId}-${env.region}`;
    const allows = doc.Statement.filter((s: any) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: bucket,
        Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
      expect.objectContaining({
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `${bucket}/AWSLogs/${env.accountId}/*`,
        Condition: { StringEquals: { 'aws:SourceArn': trailArn, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    ]);
    expect(doc.Statement.find((s: any) => s.Sid === 'DenyInsecureTransport')).toMatchObject({ Effect: 'Deny', Action: 's3:*' });
  });

  test("stopping, deleting or narrowing the trail, and its key's incidents, alert the environment's topic", () => {
    const rules = Object.values(stack().resource!.aws_cloudwatch_event_rule) as any[];
    const trailRule = rules.find((r) => r.name.endsWith('-secrets-state-trail-changes'))!;
    const pattern = JSON.parse(trailRule.event_pattern);
    expect(pattern.detail.eventName).toEqual(expect.arrayContaining(['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors']));
    expect(pattern.detail.requestParameters.name).toEqual(['secrets-platform-management-events', trailArn]);
    const keyIds = JSON.parse(rules.find((r) => r.name.endsWith('-secrets-state-key-anomalies')).event_pattern).detail.$or[0]
      .requestParameters.keyId;
    const keyNames = Object.keys(stack().resource!.aws_kms_key);
    expect(keyNames).toHaveLength(2);
    for (const k of keyNames) expect(keyIds).toContain(`\${aws_kms_key.${k}.arn}`);
    // The environment's topic policy admits every rule of the bootstrap stack.
    const topicPolicy = parsePolicy(Object.values(out.stacks[name].resource!.aws_sns_topic_policy)[0].policy as string);
    const admitted = topicPolicy.Statement.find((s: any) => s.Sid === 'EventBridgeRulesOfThisStack').Condition.ArnEquals['aws:SourceArn'];
    for (const r of rules) expect(admitted).toContain(`arn:aws:events:${env.region}:${env.accountId}:rule/${r.name}`);
  });
});
