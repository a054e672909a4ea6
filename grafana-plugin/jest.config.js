// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');
const swcTransform = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  // Jest configuration provided by Grafana scaffolding
  ...base,
  // d3-color 3.x (pulled in by @grafana/data) ships an .mjs entry point jest cannot load untransformed.
  transform: { ...base.transform, '^.+\\.mjs$': swcTransform },
  // The browser tests (browser/) run in Chromium through playwright-core, not in jsdom.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/browser/', '<rootDir>/dist/'],
  // Lazy routes and @grafana/ui take a while to load on 2 shared cores.
  testTimeout: 20000,
};
