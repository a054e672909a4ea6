// Read-side latency against the collector process on PostgreSQL: 24 h of 15 s samples for
// 200 series (1.15M samples), then /v1/query_range raw and bucketed, by name across series,
// an LLM derived signal and /v1/llm/summary; p50/p95 over 30 requests each.
const { writeResults } = require('./lib/results');
const { startBenchCollector, BENCH_TOKEN } = require('./lib/collector');

const TOKEN = BENCH_TOKEN;
const HOURS = 24;
const INTERVAL_MS = 15_000;
const HOSTS = 50;
const NAMES = ['bench_cpu', 'bench_mem', 'bench_disk', 'bench_load'];

const pct = (xs, q) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1) + 0.5))];

async function main() {
  const collector = await startBenchCollector('postgres', 'bench_query');
  const { url } = collector;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const end = Date.now() - 60_000;
  const start = end - HOURS * 3_600_000;
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
  const loadSeconds = (Date.now() - t0) / 1000;

  const q = async (label, pathAndQuery) => {
    const times = [];
    let bytes = 0;
    for (let i = 0; i < 33; i++) {
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
  const results = [
    await q('one series, 24 h raw (5,760 points)', `/v1/query_range?name=bench_cpu&host=h7&${range}`),
    await q(
      'one series, 24 h, step 5m avg',
      `/v1/query_range?name=bench_cpu&host=h7&${range}&step=5m&agg=avg`,
    ),
    await q('50 series, 24 h, step 5m avg', `/v1/query_range?name=bench_cpu&${range}&step=5m&agg=avg`),
    await q(
      '50 series merged with by=, 24 h, step 5m p95',
      `/v1/query_range?name=bench_cpu&${range}&step=5m&agg=p95&by=`,
    ),
    await q('llm_latency_ms_p95, 24 h, step 5m', `/v1/query_range?name=llm_latency_ms_p95&${range}&step=5m`),
    await q('/v1/llm/summary, 24 h', `/v1/llm/summary?${range}`),
  ];
  await collector.stop();
  for (const r of results) console.log(r);
  writeResults(
    'query',
    results.flatMap((r) => [
      { name: `${r.label} p50`, value: r.p50, unit: 'ms' },
      {
        name: `${r.label} p95`,
        value: r.p95,
        unit: 'ms',
        ...(r.label.startsWith('50 series') ? {} : { target: '< 100' }),
      },
    ]),
    {
      dataset: {
        samples,
        series: HOSTS * NAMES.length,
        llm_requests: ((chunks.length * 600_000) / INTERVAL_MS) * 3,
        hours: HOURS,
        load_seconds: loadSeconds,
      },
      queries: results,
    },
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
