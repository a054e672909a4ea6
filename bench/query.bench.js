// Read-side latency against the collector process on PGlite, PostgreSQL and TimescaleDB: 24 h
// of 15 s samples for 200 series (1.15M samples), then /v1/query_range raw and bucketed, by name
// across series, an LLM derived signal and /v1/llm/summary; p50/p95 over 20 requests each,
// through the rollups and (QUERY_ROLLUPS=off, same data) from raw rows, with the TimescaleDB
// rollup against plain PostgreSQL's raw path from the same run.
const fs = require('fs');
const { openDatabase, refreshRollups } = require('../core/dist');
const { writeResults } = require('./lib/results');
const { startBenchCollector, BENCH_TOKEN } = require('./lib/collector');

const TOKEN = BENCH_TOKEN;
const HOURS = 24;
const INTERVAL_MS = 15_000;
const HOSTS = 50;
const NAMES = ['bench_cpu', 'bench_mem', 'bench_disk', 'bench_load'];

const pct = (xs, q) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1) + 0.5))];

/** Pushes 24 h of data for every series into the collector at url; returns {samples, seconds}. */
async function load(url, start, end) {
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  // Load: one request per 10 minutes of data (all series), 16 in flight.
  const chunks = [];
  for (let t = start; t < end; t += 600_000) chunks.push(t);
  const t0 = Date.now();
  let samples = 0;
  const pushChunk = async (from) => {
    const body = { samples: [], llm: [] };
    for (let ts = from; ts < Math.min(from + 600_000, end); ts += INTERVAL_MS) {
      for (let h = 0; h < HOSTS; h++) {
        for (const name of NAMES)
          body.samples.push({ name, value: Math.random() * 100, labels: { host: `h${h}` }, ts });
      }
      for (const model of ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4']) {
        body.llm.push({
          ts,
          provider: model.startsWith('gpt') ? 'openai' : 'anthropic',
          model,
          input_tokens: 500,
          output_tokens: 100,
          latency_ms: 200 + Math.random() * 800,
          status: Math.random() < 0.02 ? 'error' : 'ok',
          user_id: `u${Math.floor(Math.random() * 50)}`,
        });
      }
    }
    samples += body.samples.length;
    const res = await fetch(url + '/v1/push', { method: 'POST', headers, body: JSON.stringify(body) });
    if (res.status !== 202) throw new Error(`push ${res.status}: ${await res.text()}`);
  };
  for (let i = 0; i < chunks.length; i += 16) await Promise.all(chunks.slice(i, i + 16).map(pushChunk));
  return { samples, chunks: chunks.length, seconds: (Date.now() - t0) / 1000 };
}

/** p50/p95 of each query against the collector at url (3 warm-up requests, then 20). */
async function measure(url, start, end) {
  const headers = { authorization: `Bearer ${TOKEN}` };
  const q = async (label, pathAndQuery) => {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 23; i++) {
      const s = performance.now();
      const res = await fetch(url + pathAndQuery, { headers });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${label}: ${res.status} ${text}`);
      if (i >= 3) times.push(performance.now() - s);
      bytes = text.length;
    }
    return { label, p50: pct(times, 0.5), p95: pct(times, 0.95), bytes };
  };
  const range = `from=${start}&to=${end}`;
  return [
    await q('one series, 24 h raw (5,760 points)', `/v1/query_range?name=bench_cpu&host=h7&${range}`),
    await q(
      'one series, 24 h, step 5m avg',
      `/v1/query_range?name=bench_cpu&host=h7&${range}&step=5m&agg=avg`,
    ),
    await q(WIDE, `/v1/query_range?name=bench_cpu&${range}&step=5m&agg=avg`),
    await q('50 series, 24 h, step 1h max', `/v1/query_range?name=bench_cpu&${range}&step=1h&agg=max`),
    await q(
      '50 series merged with by=, 24 h, step 5m p95',
      `/v1/query_range?name=bench_cpu&${range}&step=5m&agg=p95&by=`,
    ),
    await q('llm_latency_ms_p95, 24 h, step 5m', `/v1/query_range?name=llm_latency_ms_p95&${range}&step=5m`),
    await q('/v1/llm/summary, 24 h', `/v1/llm/summary?${range}`),
  ];
}

const WIDE = '50 series, 24 h, step 5m avg';

async function main() {
  const drivers = ['pglite', 'postgres', ...(process.env.BENCH_TIMESCALEDB_URL ? ['timescaledb'] : [])];
  const end = Date.now() - 60_000;
  const start = end - HOURS * 3_600_000;
  const runs = [];
  const datasets = {};
  for (const driver of drivers) {
    // The same data read twice: through the rollups (the default), then with QUERY_ROLLUPS=off.
    const first = await startBenchCollector(driver, 'bench_query', {}, { keep: true });
    const loaded = await load(first.url, start, end);
    datasets[driver] = { samples: loaded.samples, load_seconds: loaded.seconds };
    if (driver === 'timescaledb') {
      // Steady state: the refresh policy (every minute) has materialised what is older than a minute.
      const db = await openDatabase({ databaseUrl: first.storage.databaseUrl, dataDir: '.' });
      const t0 = Date.now();
      await refreshRollups(db);
      datasets[driver].refresh_seconds = (Date.now() - t0) / 1000;
      await db.close();
    }
    runs.push({ driver, mode: 'rollup', queries: await measure(first.url, start, end) });
    await first.stop();
    const second = await startBenchCollector(
      driver,
      'bench_query',
      { QUERY_ROLLUPS: 'off' },
      { reuse: first.storage },
    );
    runs.push({ driver, mode: 'raw', queries: await measure(second.url, start, end) });
    await second.stop();
    if (first.storage.dataDir) fs.rmSync(first.storage.dataDir, { recursive: true, force: true });
    console.log(driver, datasets[driver]);
  }
  for (const r of runs) for (const q of r.queries) console.log(r.driver, r.mode, q);
  const wide = (driver, mode) =>
    runs.find((r) => r.driver === driver && r.mode === mode)?.queries.find((q) => q.label === WIDE);
  const ratios = [];
  const pgRaw = wide('postgres', 'raw');
  for (const driver of drivers) {
    const rolled = wide(driver, 'rollup');
    if (!pgRaw || !rolled) continue;
    ratios.push({
      name: `${WIDE}: plain PostgreSQL raw p50 / ${driver} rollup p50`,
      value: pgRaw.p50 / rolled.p50,
      unit: 'x',
      ...(driver === 'timescaledb' ? { target: '>= 5' } : {}),
    });
  }
  writeResults(
    'query',
    [
      ...runs.flatMap((r) =>
        r.queries.flatMap((q) => [
          { name: `${r.driver} ${r.mode}: ${q.label} p50`, value: q.p50, unit: 'ms' },
          {
            name: `${r.driver} ${r.mode}: ${q.label} p95`,
            value: q.p95,
            unit: 'ms',
            ...(r.mode === 'rollup' && q.label === WIDE ? { target: '<= 50' } : {}),
          },
        ]),
      ),
      ...ratios,
    ],
    {
      dataset: {
        series: HOSTS * NAMES.length,
        llm_requests: ((HOURS * 3_600_000) / INTERVAL_MS) * 3,
        hours: HOURS,
        per_driver: datasets,
      },
      runs,
    },
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
