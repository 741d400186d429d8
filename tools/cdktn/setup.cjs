// Runs in every test file of the cdktn run before the tests: fails the file unless `cdktf` and
// the provider deep paths really resolve to CDK Terrain, so a broken mapping cannot pass as
// "tests green on cdktn" while they ran on cdktf.
'use strict';
const path = require('node:path');

const compat = `${path.sep}tools${path.sep}cdktn${path.sep}framework${path.sep}node_modules${path.sep}`;
for (const [spec, pkg] of [
  ['cdktf', 'cdktn'],
  ['constructs', 'constructs'],
  ['@cdktf/provider-aws/lib/provider', '@cdktn/provider-aws'],
  ['@cdktf/provider-archive/lib/provider', '@cdktn/provider-archive'],
]) {
  const resolved = require.resolve(spec);
  if (!resolved.includes(compat + pkg.split('/').join(path.sep) + path.sep)) {
    throw new Error(`cdktn test run: ${spec} resolved to ${resolved}, not to ${pkg} in tools/cdktn`);
  }
}
