// The built collector as its own process on fresh storage, as the benchmarks measure it.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { freshDatabaseUrl } = require('./databases');
const { startService } = require('./service-process');
const { parsePrometheusText } = require('../../core/dist/testing');

const COLLECTOR_MAIN = path.join(__dirname, '..', '..', 'collector', 'dist', 'main.js');
const BENCH_TOKEN = 'bench-token';

/** Fresh storage for a benchmark: a new database on the driver's server, or a PGlite directory. */
async function freshBenchStorage(driver, name) {
  if (driver === 'postgres')
    return { databaseUrl: await freshDatabaseUrl(process.env.BENCH_DATABASE_URL, name), timescaledb: 'off' };
  if (driver === 'timescaledb') {
    if (!process.env.BENCH_TIMESCALEDB_URL)
      throw new Error('BENCH_TIMESCALEDB_URL is not set (bench/run.js starts one)');
    return {
      databaseUrl: await freshDatabaseUrl(process.env.BENCH_TIMESCALEDB_URL, name),
      timescaledb: 'on',
    };
  }
  return { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)), timescaledb: 'off' };
}

/**
 * Starts `node collector/dist/main.js` on a new database named `name` (pglite, postgres on
 * BENCH_DATABASE_URL or timescaledb on BENCH_TIMESCALEDB_URL), or on `reuse` (the storage of an
 * earlier run, e.g. the same data read with other settings); resolves once it listens.
 * Returns {svc, url, storage, stop()} — stop() ends the process and removes a fresh PGlite
 * directory unless `keep` is set.
 */
async function startBenchCollector(driver, name, env = {}, { reuse, keep = false } = {}) {
  const storage = reuse ?? (await freshBenchStorage(driver, name));
  const svc = startService(COLLECTOR_MAIN, {
    COLLECTOR_PORT: '0',
    AIHUB_TOKENS: BENCH_TOKEN,
    SELF_METRICS_INTERVAL: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: storage.databaseUrl ?? '',
    DATA_DIR: storage.dataDir ?? os.tmpdir(),
    TIMESCALEDB: storage.timescaledb,
    ...env,
  });
  const url = await svc.ready;
  return {
    svc,
    url,
    storage,
    async stop() {
      await svc.stop();
      if (storage.dataDir && !keep) fs.rmSync(storage.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The collector's own garbage collections so far, from v8js.gc.duration on its /metrics:
 * {major: {count, seconds}, minor: {count, seconds}}. A run's figures are the difference of two.
 */
async function collectorGcTotals(url) {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } });
  const family = parsePrometheusText(await res.text()).get('v8js_gc_duration');
  const totals = {};
  for (const type of ['major', 'minor']) {
    const read = (name) =>
      family?.samples.find((s) => s.name === name && s.labels.v8js_gc_type === type)?.value ?? 0;
    totals[type] = { count: read('v8js_gc_duration_count'), seconds: read('v8js_gc_duration_sum') };
  }
  return totals;
}

module.exports = { startBenchCollector, collectorGcTotals, BENCH_TOKEN };
