/**
 * The catalog model: plain data that says which secrets exist in an environment, how they are
 * protected, who reads them and how they rotate. The types are inferred from the schema that
 * checks every catalog at run time (catalogs/schema.ts), so they are declared once; the
 * documentation of each field is there.
 */
import type * as v from 'valibot';

/** Shared with the rotation Lambdas, declared once in their contract. */
import type {
  BreakGlassSchema,
  EcsAccessSchema,
  EnvironmentSchema,
  KEY_CATEGORIES,
  ENVIRONMENT_NAMES,
  NetworkSchema,
  ReaderSchema,
  RotationScheduleSchema,
  RotationSpecSchema,
  SecretSpecSchema,
  SecretValueSchema,
  ValueGeneratorSchema,
} from './schema';

export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];
export type KeyCategory = (typeof KEY_CATEGORIES)[number];
/** Rules for a value the values step generates (GetRandomPassword), never stored by Terraform. */
export type ValueGenerator = v.InferOutput<typeof ValueGeneratorSchema>;
export type SecretValue = v.InferOutput<typeof SecretValueSchema>;
export type RotationSpec = v.InferOutput<typeof RotationSpecSchema>;
export type RotationSchedule = v.InferOutput<typeof RotationScheduleSchema>;
export type EcsAccess = v.InferOutput<typeof EcsAccessSchema>;
export type SecretSpec = v.InferOutput<typeof SecretSpecSchema>;
export type Reader = v.InferOutput<typeof ReaderSchema>;
export type NetworkConfig = v.InferOutput<typeof NetworkSchema>;
export type BreakGlassRole = v.InferOutput<typeof BreakGlassSchema>;
export type EnvironmentConfig = v.InferOutput<typeof EnvironmentSchema>;

export interface StateBackendConfig {
  accountId: string;
  region: string;
  bucket: string;
  lockTable: string;
  keyAlias: string;
}
