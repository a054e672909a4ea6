// Starts the real services the tests use once per run: an ephemeral PostgreSQL cluster
// (TEST_DATABASE_URL, unless one is given) and makes sure Prometheus, Chromium and
// scikit-learn are installed. Under CI=true nothing is optional.
const { ensure, requirements } = require('./lib/system-packages');
const { startEphemeralPostgres } = require('./lib/ephemeral-postgres');

module.exports = async function globalSetup() {
  ensure(Object.values(requirements));
  if (!process.env.TEST_DATABASE_URL) {
    const pg = await startEphemeralPostgres();
    globalThis.__AIHUB_PG__ = pg;
    process.env.TEST_DATABASE_URL = pg.url;
  }
};
