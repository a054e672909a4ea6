// One jest run for the Node workspaces; the Grafana plugin has its own config.
const workspaces = ['core', 'collector', 'alerting', 'client', 'dashboards', 'scripts'];
module.exports = {
  testEnvironment: 'node',
  roots: workspaces
    .map((w) => `<rootDir>/${w}`)
    .filter((p) => require('fs').existsSync(p.replace('<rootDir>', __dirname))),
  testMatch: ['**/*.test.ts'],
  // TypeScript first: a stray compiled .js beside its .ts must never shadow the source.
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json', 'node'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': '<rootDir>/scripts/jest-esbuild-transform.js' },
  moduleNameMapper: {
    '^@aihub/core/testing$': '<rootDir>/core/src/testing/index.ts',
    '^@aihub/(core|collector|alerting|client)$': '<rootDir>/$1/src/index.ts',
  },
  globalSetup: '<rootDir>/scripts/jest-global-setup.js',
  globalTeardown: '<rootDir>/scripts/jest-global-teardown.js',
  testTimeout: 60000,
};
