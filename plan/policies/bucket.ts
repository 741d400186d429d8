import { policy, type PolicyDocument } from '../policy';

/** Deny every request to the bucket over plain HTTP or TLS older than 1.2. */
export function tlsOnlyBucketPolicy(bucketArn: string): PolicyDocument {
  return policy([
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: 'DenyOutdatedTls',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
    },
  ]);
}
