// Two projects: `unit` (synth, guardrails, handler logic; Node alone) and `integration`
// (handlers against real PostgreSQL, MariaDB and moto, started by scripts/integration.sh).
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/__tests__'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/__tests__/integration/', '/__tests__/validate/'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/__tests__'],
      testMatch: ['**/__tests__/integration/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      // Real Terraform with the stub provider (npm run validate): needs terraform and go.
      displayName: 'validate',
      testEnvironment: 'node',
      roots: ['<rootDir>/__tests__'],
      testMatch: ['**/__tests__/validate/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
  ],
};
