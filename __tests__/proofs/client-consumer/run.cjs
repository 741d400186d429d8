// Runtime check of the packed package as CommonJS (client-package.test.ts runs it in the scratch app).
const { SecretCache, SecretsClientError } = require('@secrets-platform/client');
const { RotatingPgPool } = require('@secrets-platform/client/pg');
const { RotatingMysqlPool } = require('@secrets-platform/client/mysql');
const { check } = require('./check.cjs');

check({ SecretCache, SecretsClientError, RotatingPgPool, RotatingMysqlPool }, 'cjs').then((r) => console.log(JSON.stringify(r)));
