// The storage ceiling the ingest figures are compared with: Node writing pre-encoded COPY
// BINARY batches straight into metric_samples on the same server (no HTTP, no JSON, no
// validation), one transaction per batch as the collector commits them, with as many
// connections as the collector's writer uses.
const { openDatabase, migrate, setupRetention, SeriesCache } = require('../../core/dist');
const { encodeSamplesBinary } = require('../../core/dist/storage/copy-binary');
const { backendSeconds } = require('./cpu');

/**
 * COPY BINARY into metric_samples of databaseUrl for `seconds`, with `connections`
 * transactions in flight, `batchRows` rows each, over `series` series (timescaledb 'on': the
 * tables as the collector sets them up on TimescaleDB). Resolves {rows, seconds, serverSeconds}:
 * the CPU seconds of the server backends that ran the COPYs.
 */
async function measureCopyCeiling({
  databaseUrl,
  seconds,
  connections,
  batchRows,
  series,
  timescaledb = 'off',
}) {
  const db = await openDatabase({ databaseUrl, dataDir: '', maxConnections: connections });
  try {
    await migrate(db);
    // The collector's own storage setup: hypertables and continuous aggregates on TimescaleDB.
    await setupRetention(db, { retentionDays: 30, compressAfterDays: 7, timescaledb });
    const cache = new SeriesCache();
    const keys = [];
    for (let s = 0; s < series; s++)
      keys.push(cache.key(`ceiling_metric_${s % 20}`, { host: `host-${s % 10}`, shard: String(s) }));
    const { ids } = await db.transaction((tx) => cache.resolve(tx, keys));
    // Distinct buffers with advancing timestamps, encoded before the clock starts.
    const start = Date.now() - 3_600_000;
    const buffers = [];
    for (let b = 0; b < 16; b++) {
      const times = new Float64Array(batchRows);
      const sid = new Float64Array(batchRows);
      const values = new Float64Array(batchRows);
      for (let i = 0; i < batchRows; i++) {
        times[i] = start + b * 1000 + Math.floor(i / series);
        sid[i] = ids.get(keys[i % series]);
        values[i] = Math.random() * 100;
      }
      buffers.push(encodeSamplesBinary(times, sid, values));
    }
    let rows = 0;
    let next = 0;
    const deadline = Date.now() + seconds * 1000;
    const database = new URL(databaseUrl).pathname.slice(1);
    const cpu0 = backendSeconds(database);
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (Date.now() < deadline) {
          const buf = buffers[next++ % buffers.length];
          await db.transaction((tx) => tx.copyBinary('metric_samples', ['time', 'series_id', 'value'], buf));
          rows += batchRows;
        }
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    return { rows, seconds: elapsed, serverSeconds: backendSeconds(database) - cpu0 };
  } finally {
    await db.close();
  }
}

module.exports = { measureCopyCeiling };
