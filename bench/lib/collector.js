// The built collector as its own process on fresh storage, as the benchmarks measure it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { freshDatabaseUrl } = require('./databases');
const { startService } = require('./service-process');

const COLLECTOR_MAIN = path.join(__dirname, '..', '..', 'collector', 'dist', 'main.js');
const BENCH_TOKEN = 'bench-token';

/**
 * Starts `node collector/dist/main.js` on a new PostgreSQL database named `name` (on
 * BENCH_DATABASE_URL) or a new PGlite directory; resolves once it listens.
 * Returns {svc, url, storage, stop()} — stop() ends the process and removes a PGlite directory.
 */
async function startBenchCollector(driver, name, env = {}) {
  const storage =
    driver === 'postgres'
      ? { databaseUrl: await freshDatabaseUrl(process.env.BENCH_DATABASE_URL, name) }
      : { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)) };
  const svc = startService(COLLECTOR_MAIN, {
    COLLECTOR_PORT: '0',
    AIHUB_TOKENS: BENCH_TOKEN,
    SELF_METRICS_INTERVAL: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: storage.databaseUrl ?? '',
    DATA_DIR: storage.dataDir ?? os.tmpdir(),
    ...env,
  });
  const url = await svc.ready;
  return {
    svc,
    url,
    storage,
    async stop() {
      await svc.stop();
      if (storage.dataDir) fs.rmSync(storage.dataDir, { recursive: true, force: true });
    },
  };
}

module.exports = { startBenchCollector, BENCH_TOKEN };
