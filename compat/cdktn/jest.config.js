// `npm run compat:cdktn` runs the tests that assert on synthesized JSON (__tests__/stacks) with
// CDK Terrain in place of CDK for Terraform: resolver.cjs maps every framework import (the app's
// and the tests' own) to compat/cdktn/node_modules; setup.cjs proves the mapping took effect.
const path = require('node:path');

module.exports = {
  rootDir: path.resolve(__dirname, '..', '..'),
  displayName: 'unit-cdktn',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__/stacks'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  resolver: path.join(__dirname, 'resolver.cjs'),
  setupFiles: [path.join(__dirname, 'setup.cjs')],
  // Its own cache: transformed files are the same, but resolutions differ from the root run.
  cacheDirectory: path.resolve(__dirname, '..', '..', '.build', 'jest-cdktn-cache'),
};
