// The fast, focused tests Stryker runs against each mutant (see stryker.config.mjs).
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/__tests__/policies/**/*.test.ts', '**/__tests__/plan/plan.test.ts'],
  transform: { '^.+\\.ts$': tsJest },
};
