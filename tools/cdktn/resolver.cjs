// Jest resolver for the cdktn test run (tools/cdktn/jest.config.js): framework imports are
// resolved from this folder's node_modules through the same rule the bundle uses; everything
// else resolves as usual from the repository.
'use strict';
const { mapToCdktn } = require('./alias.cjs');

const COMPAT_DIR = require('node:path').join(__dirname, 'framework');

module.exports = (request, options) => {
  const mapped = mapToCdktn(request);
  if (mapped === null) return options.defaultResolver(request, options);
  return options.defaultResolver(mapped, { ...options, basedir: COMPAT_DIR });
};
