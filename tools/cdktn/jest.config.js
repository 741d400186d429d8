// `npm run compat:cdktn` runs the unit tests that synthesize (every unit test outside
// __tests__/lambdas, __tests__/client and __tests__/compat, which never load the framework) with CDK Terrain in
// place of CDK for Terraform. It starts from the root's `unit` project, so settings added there
// apply here too, then adds: resolver.cjs maps every framework import (the app's and the tests'
// own) to tools/cdktn/framework/node_modules; setup.cjs proves the mapping took effect.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const unit = (require(path.join(root, 'jest.config.js')).projects ?? []).find((p) => p.displayName === 'unit');
if (!unit) throw new Error('tools/cdktn/jest.config.js: the root jest.config.js has no `unit` project to start from');
if (unit.resolver) throw new Error('tools/cdktn/jest.config.js: the root unit project has its own resolver; compose it with resolver.cjs');

module.exports = {
  ...unit,
  rootDir: root,
  displayName: 'unit-cdktn',
  testPathIgnorePatterns: [...(unit.testPathIgnorePatterns ?? []), '/__tests__/lambdas/', '/__tests__/compat/', '/__tests__/client/'],
  resolver: path.join(__dirname, 'resolver.cjs'),
  setupFiles: [...(unit.setupFiles ?? []), path.join(__dirname, 'setup.cjs')],
  // Its own cache: transformed files are the same, but resolutions differ from the root run.
  cacheDirectory: path.join(root, '.build', 'jest-cdktn-cache'),
};
