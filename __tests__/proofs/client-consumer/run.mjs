// Runtime check of the packed package as ESM (client-package.test.ts runs it in the scratch app).
import { SecretCache, SecretsClientError } from '@secrets-platform/client';
import { RotatingPgPool } from '@secrets-platform/client/pg';
import { RotatingMysqlPool } from '@secrets-platform/client/mysql';
import { check } from './check.cjs';

console.log(JSON.stringify(await check({ SecretCache, SecretsClientError, RotatingPgPool, RotatingMysqlPool }, 'esm')));
