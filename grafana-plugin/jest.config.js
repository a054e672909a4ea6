// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
// esbuild instead of the scaffold's @swc/jest: the package registry here lacks @swc/core's
// binaries for other platforms, so a lockfile with @swc/core fails `npm ci`.
const esbuildTransform = require.resolve('../scripts/jest-esbuild-transform.js');

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // d3-color 3.x (pulled in by @grafana/data) ships an .mjs entry point jest cannot load untransformed.
  transform: { '^.+\\.(t|j)sx?$': esbuildTransform, '^.+\\.mjs$': esbuildTransform },
  // The browser tests (browser/) run in Chromium through playwright-core, not in jsdom.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/browser/', '<rootDir>/dist/'],
  // Lazy routes and @grafana/ui take a while to load on 2 shared cores.
  testTimeout: 20000,
};
