// Starts the real services the tests use once per run: an ephemeral PostgreSQL cluster
// (TEST_DATABASE_URL, unless one is given), an ephemeral TimescaleDB cluster
// (TEST_TIMESCALEDB_URL: the extension built once per machine from TIMESCALEDB_SOURCE when
// missing) and makes sure Prometheus, Chromium and scikit-learn are installed. Under CI=true
// nothing is optional.
const { ensure, requirements } = require('./lib/system-packages');
const { startEphemeralPostgres } = require('./lib/ephemeral-postgres');
const { timescaleForTests } = require('./lib/timescaledb');

module.exports = async function globalSetup() {
  ensure(Object.values(requirements));
  // TimescaleDB first: building it installs postgresql-server-dev, which can upgrade the
  // server package, and a server already running would then load the new version's libraries
  // (plpgsql.so: "undefined symbol").
  if (!process.env.TEST_TIMESCALEDB_URL) {
    const tsdb = await timescaleForTests({ start: startEphemeralPostgres });
    if (tsdb) {
      globalThis.__AIHUB_TSDB__ = tsdb;
      process.env.TEST_TIMESCALEDB_URL = tsdb.url;
    }
  }
  if (!process.env.TEST_DATABASE_URL) {
    const pg = await startEphemeralPostgres();
    globalThis.__AIHUB_PG__ = pg;
    process.env.TEST_DATABASE_URL = pg.url;
  }
};
