// Jest projects:
// - `unit` (npm test): synth, plan, guardrails, handlers, client, workflows; Node alone, fast.
// - `proofs` (npm run test:proofs): the slow proofs (planted bugs under IAM simulation,
//   property-based catalogs, defect corpora); Node alone. .ci/run runs both.
// - `integration` (npm run test:integration): handlers and client against real PostgreSQL,
//   MariaDB and Secrets Manager emulators, started by scripts/integration.sh.
// - `validate` (npm run validate): real Terraform with the stub provider; needs terraform and go.
const tsJest = ['ts-jest', { diagnostics: false }]; // transpile only: tsconfig's isolatedModules
const common = { testEnvironment: 'node', roots: ['<rootDir>/__tests__'], transform: { '^.+\\.ts$': tsJest } };
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/__tests__/integration/', '/__tests__/validate/', '/__tests__/proofs/'],
    },
    { ...common, displayName: 'proofs', testMatch: ['**/__tests__/proofs/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['**/__tests__/integration/**/*.test.ts'] },
    { ...common, displayName: 'validate', testMatch: ['**/__tests__/validate/**/*.test.ts'] },
  ],
};
