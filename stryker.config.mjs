// Mutation testing of the code that produces policies, key policies, event patterns and
// security-group rules (npm run mutate; minutes, not in .ci/run). Only fast, focused tests run
// against each mutant (jest.mutate.config.js): pure builders, the plan, the access principals,
// and the constructs that write security-group rules and rules, each on its own.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: { configFile: 'jest.mutate.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'plan/policy.ts',
    'plan/policies/access.ts',
    'plan/policies/key.ts',
    'plan/policies/monitoring.ts',
    'plan/policies/network.ts',
    'plan/policies/rotation.ts',
    'plan/secret-access.ts',
    'modules/network.ts',
    'modules/monitoring.ts',
    'modules/rotation.ts',
  ],
  ignoreStatic: true,
  // The sandbox needs sources and tests only (the venv holds a symlinked lib64 Stryker cannot copy).
  ignorePatterns: ['.build', 'cdktf.out', '.scan', 'bench', '*.tfstate', 'terraform.*'],
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: '.build/stryker/mutation.json' },
  tempDirName: '.build/stryker-tmp',
  thresholds: { high: 90, low: 85, break: 85 },
};
