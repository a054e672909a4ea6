// Browser tests: the built plugin in Debian's Chromium against real services (browser/README.md).
// esbuild, like jest.config.js: the scaffold's @swc/jest cannot be installed here.
const esbuildTransform = require.resolve('../scripts/jest-esbuild-transform.js');

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/browser/**/*.browser.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': esbuildTransform },
  // One Chromium and one set of services; PGlite's first open and Chromium start take seconds.
  testTimeout: 120000,
};
