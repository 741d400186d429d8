/**
 * Rotation functions run only code our Signer profile signed: every function deploys from the
 * signed copy of its zip, under the bootstrap's code-signing config that enforces it (checkov
 * CKV_AWS_272 is no longer skipped). The artifacts bucket is versioned, under its own KMS key, TLS
 * only, private.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { teamCatalogs } from '../support/fixtures';
import { resources, synth, type Synthesized, type TfJson } from '../support/synth';

// The fixture team (__tests__/support/fixtures.ts), every environment with rotation; for any
// catalog, the `code-signing` invariant (__tests__/catalogs/invariants.test.ts).
const ENVIRONMENTS = teamCatalogs();

let out: Synthesized;
beforeAll(() => {
  out = synth(ENVIRONMENTS);
});

const ref = (s: string) => /^\$\{([a-z0-9_]+)\.([^.}]+)\.(.+)\}$/.exec(s);
const byRef = (stack: TfJson, s: string) => {
  const m = ref(s)!;
  return { type: m[1], name: m[2], attr: m[3], body: stack.resource![m[1]][m[2]] };
};

describe.each(ENVIRONMENTS.map((e) => e.name))('%s', (envName) => {
  const stack = () => out.stacks[envName];

  test('every rotation function deploys signed code under the enforcing code-signing config of the bootstrap', () => {
    const boot = out.stacks[`ci-access-${envName}`];
    const [[cscName, csc]] = resources(boot, 'aws_lambda_code_signing_config');
    expect(csc.policies.untrusted_artifact_on_deployment).toBe('Enforce');
    const [[profileLogical, profile]] = resources(boot, 'aws_signer_signing_profile');
    expect(csc.allowed_publishers.signing_profile_version_arns).toEqual([`\${aws_signer_signing_profile.${profileLogical}.version_arn}`]);
    expect(profile.platform_id).toBe('AWSLambda-SHA384-ECDSA');
    const [[, param]] = resources(boot, 'aws_ssm_parameter');
    expect(param.insecure_value).toBe(`\${aws_lambda_code_signing_config.${cscName}.arn}`);
    const fns = resources(stack(), 'aws_lambda_function');
    expect(fns.length).toBeGreaterThan(0);
    for (const [name, f] of fns) {
      expect([name, f.filename]).toEqual([name, undefined]);
      // The environment stack reads the config's ARN from the bootstrap's parameter: it creates
      // no config and no profile of its own, so the deploy role has nothing to weaken.
      const m = /^\$\{data\.aws_ssm_parameter\.([^.]+)\.insecure_value\}$/.exec(f.code_signing_config_arn);
      expect([name, !!m]).toEqual([name, true]);
      expect((stack() as any).data.aws_ssm_parameter[m![1]].name).toBe(param.name);
      expect(resources(stack(), 'aws_lambda_code_signing_config')).toHaveLength(0);
      expect(resources(stack(), 'aws_signer_signing_profile')).toHaveLength(0);

      // s3_bucket/s3_key: the signed object of a signing job under that same profile...
      const job = byRef(stack(), f.s3_key);
      expect(job).toMatchObject({ type: 'aws_signer_signing_job', attr: 'signed_object[0].s3[0].key' });
      expect(byRef(stack(), f.s3_bucket).name).toBe(job.name);
      expect(job.body.profile_name).toBe(profile.name);
      expect(job.body.ignore_signing_job_failure).toBe(false);
      // ...which signs the exact uploaded version of this function's zip.
      const upload = byRef(stack(), job.body.source.s3.version);
      expect(upload).toMatchObject({ type: 'aws_s3_object', attr: 'version_id' });
      const zipHash = f.source_code_hash;
      expect(upload.body.source_hash).toBe(zipHash);
      expect(upload.body.source).toBe(zipHash.replace('output_base64sha256', 'output_path'));
      expect(upload.body.kms_key_id).toMatch(/^\$\{aws_kms_key\./);
    }
  });

  test('the artifacts bucket is versioned, KMS-encrypted with its own key, private and TLS-only', () => {
    const [[bucketName, bucket]] = resources(stack(), 'aws_s3_bucket');
    expect(bucket.bucket).toMatch(/^secrets-platform-artifacts-\d{12}-[a-z0-9-]+$/);
    const of = (type: string) =>
      resources(stack(), type)
        .filter(([, r]) => r.bucket === `\${aws_s3_bucket.${bucketName}.id}`)
        .map(([, r]) => r);
    expect(of('aws_s3_bucket_versioning')[0].versioning_configuration.status).toBe('Enabled');
    const [sse] = of('aws_s3_bucket_server_side_encryption_configuration');
    expect(sse.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe('aws:kms');
    expect(sse.rule[0].bucket_key_enabled).toBe(true);
    const key = byRef(stack(), sse.rule[0].apply_server_side_encryption_by_default.kms_master_key_id);
    expect(key.type).toBe('aws_kms_key');
    expect(key.body.enable_key_rotation).toBe(true);
    expect(of('aws_s3_bucket_public_access_block')[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(of('aws_s3_bucket_policy')[0].policy);
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });
});

test('checkov no longer skips CKV_AWS_272 (code signing)', () => {
  const skips = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'security', 'checkov-skips.json'), 'utf8')) as { id: string }[];
  expect(skips.map((s) => s.id)).not.toContain('CKV_AWS_272');
});
