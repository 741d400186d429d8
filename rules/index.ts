/**
 * The rule pack: every guardrail, one per file in ./pack (regenerate this list with
 * `node tools/gen/rules-index.mjs`; a unit test fails when a file is missing from it).
 */
import accessBreakGlass from './pack/access-break-glass';
import accessDeployRole from './pack/access-deploy-role';
import accessMasterReaders from './pack/access-master-readers';
import acctBreakGlass from './pack/acct-break-glass';
import acctDeployRole from './pack/acct-deploy-role';
import acctId from './pack/acct-id';
import acctShared from './pack/acct-shared';
import arnPartition from './pack/arn-partition';
import catIdChars from './pack/cat-id-chars';
import catIdCollide from './pack/cat-id-collide';
import catIdDuplicate from './pack/cat-id-duplicate';
import ecsAccessNone from './pack/ecs-access-none';
import ecsAwsCredentials from './pack/ecs-aws-credentials';
import ecsBinary from './pack/ecs-binary';
import ecsEnvDuplicate from './pack/ecs-env-duplicate';
import ecsEnvName from './pack/ecs-env-name';
import ecsInjectRotated from './pack/ecs-inject-rotated';
import ecsJsonKey from './pack/ecs-json-key';
import ecsRepository from './pack/ecs-repository';
import ecsServiceName from './pack/ecs-service-name';
import envAlertEmail from './pack/env-alert-email';
import envDuplicate from './pack/env-duplicate';
import envOwnership from './pack/env-ownership';
import iamRoleName from './pack/iam-role-name';
import iamRoleUnique from './pack/iam-role-unique';
import kmsAlias from './pack/kms-alias';
import kmsDeletionWindow from './pack/kms-deletion-window';
import lambdaName from './pack/lambda-name';
import logsRetention from './pack/logs-retention';
import netCidr from './pack/net-cidr';
import netCidrOpen from './pack/net-cidr-open';
import netEndpointClients from './pack/net-endpoint-clients';
import netEndpointExisting from './pack/net-endpoint-existing';
import netEndpointNoClients from './pack/net-endpoint-no-clients';
import netEnvId from './pack/net-env-id';
import netResourceId from './pack/net-resource-id';
import netSgRules from './pack/net-sg-rules';
import policyConsumerCount from './pack/policy-consumer-count';
import policySize from './pack/policy-size';
import readerAccountId from './pack/reader-account-id';
import readerEnvAccount from './pack/reader-env-account';
import readerEnvOrg from './pack/reader-env-org';
import readerName from './pack/reader-name';
import readerOrgId from './pack/reader-org-id';
import readerOwnAccount from './pack/reader-own-account';
import readerPlatformRole from './pack/reader-platform-role';
import readerRoleDuplicate from './pack/reader-role-duplicate';
import readerRoleName from './pack/reader-role-name';
import readerUnknown from './pack/reader-unknown';
import readerWholeAccount from './pack/reader-whole-account';
import regionPartition from './pack/region-partition';
import regionReplicaPartition from './pack/region-replica-partition';
import regionReplicaUnknown from './pack/region-replica-unknown';
import regionUnknown from './pack/region-unknown';
import rotAdminEngine from './pack/rot-admin-engine';
import rotAdminFields from './pack/rot-admin-fields';
import rotAdminHost from './pack/rot-admin-host';
import rotAdminMissing from './pack/rot-admin-missing';
import rotAdminSelf from './pack/rot-admin-self';
import rotAdminUnknown from './pack/rot-admin-unknown';
import rotAdminUnused from './pack/rot-admin-unused';
import rotBinary from './pack/rot-binary';
import rotDatabaseEndpoint from './pack/rot-database-endpoint';
import rotDatabaseFields from './pack/rot-database-fields';
import rotDatabaseHost from './pack/rot-database-host';
import rotDatabasePort from './pack/rot-database-port';
import rotDatabaseReach from './pack/rot-database-reach';
import rotDatabaseTarget from './pack/rot-database-target';
import rotEngineMismatch from './pack/rot-engine-mismatch';
import rotEnvDatabase from './pack/rot-env-database';
import rotFirstPassword from './pack/rot-first-password';
import rotGeneratedRules from './pack/rot-generated-rules';
import rotJsonKey from './pack/rot-json-key';
import rotJsonLiteral from './pack/rot-json-literal';
import rotJsonWhole from './pack/rot-json-whole';
import rotLoginShared from './pack/rot-login-shared';
import rotNetwork from './pack/rot-network';
import rotRotateImmediately from './pack/rot-rotate-immediately';
import rotTagValue from './pack/rot-tag-value';
import rotTlsPlaintext from './pack/rot-tls-plaintext';
import rotUnrotated from './pack/rot-unrotated';
import rotVendorValue from './pack/rot-vendor-value';
import rotVpcSubnets from './pack/rot-vpc-subnets';
import schedDaysRange from './pack/sched-days-range';
import schedExpression from './pack/sched-expression';
import schedOneOf from './pack/sched-one-of';
import schedTooFrequent from './pack/sched-too-frequent';
import schedTooRare from './pack/sched-too-rare';
import schedWindowFormat from './pack/sched-window-format';
import schedWindowMidnight from './pack/sched-window-midnight';
import schedWindowOverlap from './pack/sched-window-overlap';
import smDescriptionLength from './pack/sm-description-length';
import smDescriptionPlaceholder from './pack/sm-description-placeholder';
import smManagedKeyReplica from './pack/sm-managed-key-replica';
import smManagedKeyShared from './pack/sm-managed-key-shared';
import smNameChars from './pack/sm-name-chars';
import smNameDuplicate from './pack/sm-name-duplicate';
import smNameLength from './pack/sm-name-length';
import smNamePrefix from './pack/sm-name-prefix';
import smNameReserved from './pack/sm-name-reserved';
import smNameSegment from './pack/sm-name-segment';
import smNameSuffix from './pack/sm-name-suffix';
import smRecoveryWindow from './pack/sm-recovery-window';
import smReplicaDuplicate from './pack/sm-replica-duplicate';
import smReplicaPrimary from './pack/sm-replica-primary';
import tagChars from './pack/tag-chars';
import tagCount from './pack/tag-count';
import tagEnvironment from './pack/tag-environment';
import tagKeyCase from './pack/tag-key-case';
import tagKeyLength from './pack/tag-key-length';
import tagReservedAws from './pack/tag-reserved-aws';
import tagReservedRotation from './pack/tag-reserved-rotation';
import tagReservedValue from './pack/tag-reserved-value';
import tagValueLength from './pack/tag-value-length';
import valueBinaryInRepo from './pack/value-binary-in-repo';
import valueFileEmpty from './pack/value-file-empty';
import valueFileMissing from './pack/value-file-missing';
import valueGeneratorAlphabet from './pack/value-generator-alphabet';
import valueGeneratorEntropy from './pack/value-generator-entropy';
import valueGeneratorLength from './pack/value-generator-length';
import valueJsonEmpty from './pack/value-json-empty';
import valueJsonKeyChars from './pack/value-json-key-chars';
import valueJsonKeyLookalike from './pack/value-json-key-lookalike';
import valueJsonKeyTwice from './pack/value-json-key-twice';
import valueLiteralSecret from './pack/value-literal-secret';
import valueSize from './pack/value-size';
import valueVariableCollide from './pack/value-variable-collide';
import valueVariableName from './pack/value-variable-name';
import valueVersion from './pack/value-version';
import type { Rule } from './rule';

export const RULES: readonly Rule[] = [
  accessBreakGlass,
  accessDeployRole,
  accessMasterReaders,
  acctBreakGlass,
  acctDeployRole,
  acctId,
  acctShared,
  arnPartition,
  catIdChars,
  catIdCollide,
  catIdDuplicate,
  ecsAccessNone,
  ecsAwsCredentials,
  ecsBinary,
  ecsEnvDuplicate,
  ecsEnvName,
  ecsInjectRotated,
  ecsJsonKey,
  ecsRepository,
  ecsServiceName,
  envAlertEmail,
  envDuplicate,
  envOwnership,
  iamRoleName,
  iamRoleUnique,
  kmsAlias,
  kmsDeletionWindow,
  lambdaName,
  logsRetention,
  netCidr,
  netCidrOpen,
  netEndpointClients,
  netEndpointExisting,
  netEndpointNoClients,
  netEnvId,
  netResourceId,
  netSgRules,
  policyConsumerCount,
  policySize,
  readerAccountId,
  readerEnvAccount,
  readerEnvOrg,
  readerName,
  readerOrgId,
  readerOwnAccount,
  readerPlatformRole,
  readerRoleDuplicate,
  readerRoleName,
  readerUnknown,
  readerWholeAccount,
  regionPartition,
  regionReplicaPartition,
  regionReplicaUnknown,
  regionUnknown,
  rotAdminEngine,
  rotAdminFields,
  rotAdminHost,
  rotAdminMissing,
  rotAdminSelf,
  rotAdminUnknown,
  rotAdminUnused,
  rotBinary,
  rotDatabaseEndpoint,
  rotDatabaseFields,
  rotDatabaseHost,
  rotDatabasePort,
  rotDatabaseReach,
  rotDatabaseTarget,
  rotEngineMismatch,
  rotEnvDatabase,
  rotFirstPassword,
  rotGeneratedRules,
  rotJsonKey,
  rotJsonLiteral,
  rotJsonWhole,
  rotLoginShared,
  rotNetwork,
  rotRotateImmediately,
  rotTagValue,
  rotTlsPlaintext,
  rotUnrotated,
  rotVendorValue,
  rotVpcSubnets,
  schedDaysRange,
  schedExpression,
  schedOneOf,
  schedTooFrequent,
  schedTooRare,
  schedWindowFormat,
  schedWindowMidnight,
  schedWindowOverlap,
  smDescriptionLength,
  smDescriptionPlaceholder,
  smManagedKeyReplica,
  smManagedKeyShared,
  smNameChars,
  smNameDuplicate,
  smNameLength,
  smNamePrefix,
  smNameReserved,
  smNameSegment,
  smNameSuffix,
  smRecoveryWindow,
  smReplicaDuplicate,
  smReplicaPrimary,
  tagChars,
  tagCount,
  tagEnvironment,
  tagKeyCase,
  tagKeyLength,
  tagReservedAws,
  tagReservedRotation,
  tagReservedValue,
  tagValueLength,
  valueBinaryInRepo,
  valueFileEmpty,
  valueFileMissing,
  valueGeneratorAlphabet,
  valueGeneratorEntropy,
  valueGeneratorLength,
  valueJsonEmpty,
  valueJsonKeyChars,
  valueJsonKeyLookalike,
  valueJsonKeyTwice,
  valueLiteralSecret,
  valueSize,
  valueVariableCollide,
  valueVariableName,
  valueVersion,
];
