/** The region lists come from the AWS SDK's partition data and stay in step with it. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { arnPartition, partitionByPattern, partitionOf, PARTITIONS } from '../../plan/partitions';

function sdkPartitions(): Array<{ id: string; regions: Record<string, unknown> }> {
  const file = path.join(
    path.dirname(require.resolve('@aws-sdk/core/package.json')),
    'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js',
  );
  const text = readFileSync(file, 'utf8')
    .replace(/^\s*export const partitionsInfo = /m, '')
    .replace(/;\s*$/, '');
  return JSON.parse(text).partitions;
}

describe('partitions', () => {
  test('every region the installed SDK knows is in plan/aws-partitions.json (else run tools/gen/partitions.mjs)', () => {
    const missing = sdkPartitions().flatMap((p) =>
      Object.keys(p.regions)
        .filter((r) => !r.endsWith('-global') && partitionOf(r) !== p.id)
        .map((r) => `${p.id}:${r}`),
    );
    expect(missing).toEqual([]);
  });

  test('regions map to their partitions', () => {
    expect([
      partitionOf('us-east-1'),
      partitionOf('cn-north-1'),
      partitionOf('us-gov-west-1'),
      partitionOf('us-west-2a'),
      partitionOf('mars-1'),
    ]).toEqual(['aws', 'aws-cn', 'aws-us-gov', undefined, undefined]);
    expect(partitionByPattern('eu-south-9')).toBe('aws');
    expect(arnPartition('arn:aws-cn:iam::123456789012:role/x')).toBe('aws-cn');
    expect(PARTITIONS.find((p) => p.id === 'aws')!.regions.length).toBeGreaterThan(30);
  });
});
