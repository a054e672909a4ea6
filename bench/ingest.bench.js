// Ingest throughput: Debian's wrk (autocannon where wrk is missing) against the collector
// process, 1,000 samples per request over ~200 series, 64 pushers at once, on PostgreSQL
// (fsync on), TimescaleDB and PGlite; then an overload run. Figures: requests/s, durable
// samples/s (counted in the database afterwards), p50/p99 latency, peak RSS of the collector,
// CPU seconds per sample of the collector, of the database server and of the load generator,
// and on the servers the ratio to the storage ceiling measured in the same run
// (bench/lib/copy-ceiling.js: half of it just before the collector runs, half after, so load
// from other processes on the machine hits both alike).
//
// Each server runs twice: on shared cores (server, collector and load generator all on the
// machine's 2 cores, so the ratio also prices the load generator and the collector's own CPU
// against the server's) and on split cores (the server on one, the rest on the other, as when
// the database has its own host: the ratio is the share of the storage's capacity the ingest
// path delivers; bench/lib/core-split.js).
const { Client } = require('pg');
const { writeResults } = require('./lib/results');
const { startBenchCollector, collectorGcTotals, BENCH_TOKEN } = require('./lib/collector');
const { benchProtocols } = require('./lib/ingest-protocols');
const { makeBodies, pushLoad } = require('./lib/push-load');
const wrk = require('./lib/wrk-load');
const { freshDatabaseUrl } = require('./lib/databases');
const { measureCopyCeiling } = require('./lib/copy-ceiling');
const { cpuSeconds, backendSeconds, exitedChildrenSeconds } = require('./lib/cpu');
const { splitCores } = require('./lib/core-split');

const TOKEN = BENCH_TOKEN;
const DURATION = Number(process.env.BENCH_INGEST_SECONDS ?? 20);
const SAMPLES_PER_REQUEST = 1000;
// Enough pushers to keep the pipeline full (with 16, a closed loop of 16 requests leaves the
// server idle while bodies are read); the latency figures are per 1,000-sample request.
const CONNECTIONS = Number(process.env.BENCH_INGEST_CONNECTIONS ?? 64);
const SERIES = 200;
// The storage's best on this machine: 2 transactions in flight of 20,000 rows (the collector's
// largest), which keeps both cores busy with PostgreSQL alone.
const CEILING = { connections: 2, batchRows: 20_000, series: SERIES };

async function countSamples(driver, storage) {
  if (storage.databaseUrl) {
    const c = new Client({ connectionString: storage.databaseUrl });
    await c.connect();
    const r = await c.query('SELECT count(*)::int AS n FROM metric_samples');
    await c.end();
    return r.rows[0].n;
  }
  const { openDatabase } = require('../core/dist');
  const db = await openDatabase({ dataDir: storage.dataDir });
  const r = await db.query('SELECT count(*)::int AS n FROM metric_samples');
  await db.close();
  return r[0].n;
}

// PGlite, the embedded single-connection default, with the 16 pushers it was always measured
// with: at 64, about 1 request in 200 waits past autocannon's 10 s timeout before the server
// sees it at all (every request it sees is answered within 2 s): docs/scaling.md.
const PGLITE_CONNECTIONS = 16;

// The load generator of the throughput runs. On 2 shared cores its CPU is taken from the
// collector and the server: wrk (C) spends ~0.06 µs per sample, autocannon (JavaScript) ~0.3,
// a third of what the collector itself spends.
const LOAD_GENERATOR = wrk.available() ? 'wrk' : 'autocannon';

/** The load, and the CPU seconds the load generator spent on it. */
async function timedLoad(url, opts) {
  if (LOAD_GENERATOR === 'wrk') {
    const before = exitedChildrenSeconds();
    const r = await wrk.wrkPushLoad(url, TOKEN, opts);
    return { r, loadSeconds: exitedChildrenSeconds() - before };
  }
  const before = process.cpuUsage();
  const r = await pushLoad(url, TOKEN, opts);
  const used = process.cpuUsage(before);
  return { r, loadSeconds: (used.user + used.system) / 1e6 };
}

async function benchDriver(driver, bodies, beforeRun = async () => {}) {
  const collector = await startBenchCollector(driver, 'bench_ingest');
  const { svc, url, storage } = collector;
  await pushLoad(url, TOKEN, { connections: 4, duration: 2, bodies }); // warm-up: JIT, series cache
  const before = await countSamples(driver, storage).catch(() => null);
  await beforeRun();
  const gc0 = await collectorGcTotals(url);
  const cpu0 = { collector: cpuSeconds(svc.proc.pid), server: backendSeconds('bench_ingest') };
  const connections = driver === 'pglite' ? PGLITE_CONNECTIONS : CONNECTIONS;
  const { r, loadSeconds } = await timedLoad(url, { connections, duration: DURATION, bodies });
  const cpu1 = { collector: cpuSeconds(svc.proc.pid), server: backendSeconds('bench_ingest') };
  const mem = svc.memory();
  const gc1 = await collectorGcTotals(url);
  await svc.stop();
  const after = await countSamples(driver, storage);
  const durable = after - (before ?? 0);
  await collector.stop();
  const acked = r['2xx'] * SAMPLES_PER_REQUEST;
  if (durable < acked) throw new Error(`${driver}: ${acked} samples acknowledged but only ${durable} stored`);
  const perSample = (s) => (s * 1e6) / Math.max(1, acked);
  return {
    load_generator: LOAD_GENERATOR,
    collector_cpu_us_per_sample: perSample(cpu1.collector - cpu0.collector),
    load_generator_cpu_us_per_sample: perSample(loadSeconds),
    ...(storage.databaseUrl ? { server_cpu_us_per_sample: perSample(cpu1.server - cpu0.server) } : {}),
    requests_per_s: r.requests.average,
    durable_samples_per_s: acked / r.duration,
    latency_p50_ms: r.latency.p50,
    latency_p99_ms: r.latency.p99,
    peak_rss_mb: mem.peakRssMb,
    // The collector's own mark-compacts during the run (v8js.gc.duration on its /metrics).
    collector_major_gcs: gc1.major.count - gc0.major.count,
    collector_major_gc_seconds: gc1.major.seconds - gc0.major.seconds,
    collector_minor_gcs: gc1.minor.count - gc0.minor.count,
    // A fresh PGlite directory is seeded from the build's template (no initdb in the process).
    rss_after_load_mb: mem.rssMb,
    non_2xx: r.non2xx,
    errors: r.errors,
  };
}

async function overload(bodies) {
  const collector = await startBenchCollector('postgres', 'bench_overload', {
    LOG_LEVEL: 'error',
    MAX_QUEUE_ROWS: '50000',
  });
  const { svc, url } = collector;
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, svc.memory().rssMb)), 200);
  const r = await pushLoad(url, TOKEN, { connections: 256, duration: 10, bodies });
  clearInterval(poll);
  // Once the load stops, the queue drains and a client that honours Retry-After gets in.
  const t0 = Date.now();
  let res;
  for (;;) {
    res = await fetch(url + '/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ samples: [{ name: 'after_overload', value: 1 }] }),
    });
    if (res.status !== 429 || Date.now() - t0 > 30_000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const recoveryMs = Date.now() - t0;
  const retryAfter = r.statusCodeStats['429'] ? 'yes' : 'no';
  const mem = svc.memory();
  await svc.stop();
  return {
    requests: r.requests.total,
    status_202: r.statusCodeStats['202']?.count ?? 0,
    status_429: r.statusCodeStats['429']?.count ?? 0,
    other_errors: r.errors,
    peak_rss_mb: Math.max(peak, mem.peakRssMb),
    after_load_status: res.status,
    after_load_ms: recoveryMs,
    answered_429: retryAfter,
  };
}

/** withCeiling with the server on cores of its own; null on a machine of one core. */
async function withCeilingOnSplitCores(driver, adminUrl, bodies) {
  const split = await splitCores(adminUrl);
  if (!split) return null;
  try {
    const run = await withCeiling(driver, adminUrl, bodies);
    return { ...run, cores: { collector_and_load: split.ours, server: split.theirs } };
  } finally {
    await split.restore();
  }
}

/** The ceiling in two halves around the collector's run on a server (same server and schema). */
async function withCeiling(driver, adminUrl, bodies) {
  const databaseUrl = await freshDatabaseUrl(adminUrl, 'bench_ceiling');
  const timescaledb = driver === 'timescaledb' ? 'on' : 'off';
  const halves = [];
  const half = async () =>
    halves.push(await measureCopyCeiling({ databaseUrl, seconds: DURATION / 2, timescaledb, ...CEILING }));
  // The second half runs after the collector has stopped, so the two never compete.
  const run = await benchDriver(driver, bodies, half);
  await half();
  const rows = halves.reduce((n, h) => n + h.rows, 0);
  const seconds = halves.reduce((n, h) => n + h.seconds, 0);
  run.ceiling_rows_per_s = rows / seconds;
  run.ceiling_halves_rows_per_s = halves.map((h) => h.rows / h.seconds);
  run.ceiling_server_cores = halves.reduce((n, h) => n + h.serverSeconds, 0) / seconds;
  run.ceiling_server_cpu_us_per_row = (halves.reduce((n, h) => n + h.serverSeconds, 0) * 1e6) / rows;
  run.ratio_to_ceiling = run.durable_samples_per_s / run.ceiling_rows_per_s;
  // The halves differ by up to a sixth on this noisy machine: the ratio to the faster half is
  // the figure a doubter would quote.
  run.ratio_to_faster_ceiling_half = run.durable_samples_per_s / Math.max(...run.ceiling_halves_rows_per_s);
  return run;
}

/** The figures of a run on a server (withCeiling), named after its driver. */
function serverFigures(driver, run, { durableTarget } = {}) {
  if (!run) return [];
  const f = (what, value, unit, target) => ({
    name: `${driver} ${what}`,
    value,
    unit,
    ...(target ? { target } : {}),
  });
  return [
    f('requests/s', run.requests_per_s, 'req/s'),
    f('durable samples/s', run.durable_samples_per_s, 'samples/s', durableTarget),
    f('latency p50', run.latency_p50_ms, 'ms'),
    f('latency p99', run.latency_p99_ms, 'ms'),
    f('storage ceiling (COPY BINARY, same run)', run.ceiling_rows_per_s, 'rows/s'),
    f('ratio to the ceiling', run.ratio_to_ceiling, 'x', '>= 0.8'),
    f('ratio to the faster half of the ceiling', run.ratio_to_faster_ceiling_half, 'x'),
    f('peak RSS', run.peak_rss_mb, 'MB', '< 300'),
    f('collector CPU per sample', run.collector_cpu_us_per_sample, 'µs'),
    f('collector mark-compacts during the run', run.collector_major_gcs, 'GCs'),
    f('server CPU per sample', run.server_cpu_us_per_sample, 'µs'),
    f(`load generator (${run.load_generator}) CPU per sample`, run.load_generator_cpu_us_per_sample, 'µs'),
    f('ceiling: server CPU per row', run.ceiling_server_cpu_us_per_row, 'µs'),
    f('ceiling: server cores busy', run.ceiling_server_cores, 'cores'),
  ];
}

async function main() {
  const bodies = makeBodies(64, SAMPLES_PER_REQUEST, SERIES);
  const pg = await withCeiling('postgres', process.env.BENCH_DATABASE_URL, bodies);
  console.log('postgres', pg);
  const pgSplit = await withCeilingOnSplitCores('postgres', process.env.BENCH_DATABASE_URL, bodies);
  console.log('postgres, split cores', pgSplit);
  const tsUrl = process.env.BENCH_TIMESCALEDB_URL;
  const ts = tsUrl ? await withCeiling('timescaledb', tsUrl, bodies) : null;
  if (ts) console.log('timescaledb', ts);
  const tsSplit = tsUrl ? await withCeilingOnSplitCores('timescaledb', tsUrl, bodies) : null;
  if (tsSplit) console.log('timescaledb, split cores', tsSplit);
  if (process.env.BENCH_INGEST_SERVERS_ONLY) return;
  const lite = await benchDriver('pglite', bodies);
  console.log('pglite', lite);
  const over = await overload(bodies);
  console.log('overload', over);
  const protocols = await benchProtocols(Math.min(DURATION, 10));
  const results = [
    ...serverFigures('postgres', pg, { durableTarget: '>= 150000' }),
    ...serverFigures('postgres split cores:', pgSplit),
    ...serverFigures('timescaledb', ts),
    ...serverFigures('timescaledb split cores:', tsSplit),
    { name: 'pglite requests/s', value: lite.requests_per_s, unit: 'req/s' },
    { name: 'pglite durable samples/s', value: lite.durable_samples_per_s, unit: 'samples/s' },
    { name: 'pglite latency p50', value: lite.latency_p50_ms, unit: 'ms' },
    { name: 'pglite latency p99', value: lite.latency_p99_ms, unit: 'ms' },
    { name: 'pglite peak RSS (fresh data dir from the template)', value: lite.peak_rss_mb, unit: 'MB' },
    { name: 'pglite RSS after the run', value: lite.rss_after_load_mb, unit: 'MB' },
    { name: 'postgres RSS after the run', value: pg.rss_after_load_mb, unit: 'MB' },
    { name: 'overload 429 answers', value: over.status_429, unit: 'responses', target: '> 0' },
    { name: 'overload 202 answers', value: over.status_202, unit: 'responses' },
    { name: 'overload peak RSS', value: over.peak_rss_mb, unit: 'MB', target: 'bounded' },
    { name: 'push after the load stops', value: over.after_load_status, unit: 'status', target: '202' },
    { name: 'time until a push is accepted again', value: over.after_load_ms, unit: 'ms', target: '< 5000' },
    ...protocols.results,
  ];
  writeResults('ingest', results, {
    config: {
      samples_per_request: SAMPLES_PER_REQUEST,
      series: SERIES,
      connections: CONNECTIONS,
      pglite_connections: PGLITE_CONNECTIONS,
      load_generator: LOAD_GENERATOR,
      duration_s: DURATION,
      ceiling: CEILING,
    },
    postgres: pg,
    postgres_split_cores: pgSplit,
    timescaledb: ts,
    timescaledb_split_cores: tsSplit,
    pglite: lite,
    overload: over,
    protocols: protocols.detail,
  });
  if (over.after_load_status !== 202 || over.after_load_ms > 5000 || over.status_429 === 0)
    process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
