// Browser tests: the built plugin in Debian's Chromium against real services (browser/README.md).
const base = require('./.config/jest.config');

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/browser/**/*.browser.test.ts'],
  transform: base.transform,
  // One Chromium and one set of services; PGlite's first open and Chromium start take seconds.
  testTimeout: 120000,
};
