export * from './types';
export { defaultTags, planEnvironment, RDS_CA_BUNDLE, rotationFunctionName } from './plan';
export { secretName, tfId } from './derive';
export { arnPartition, partitionByPattern, partitionOf, PARTITIONS, PARTITION_SOURCE } from './partitions';
