// Ingest by protocol, in one run on PostgreSQL (fsync on): Prometheus remote write beside the
// JSON push of exactly the same samples; OTLP GenAI spans/s; peak RSS of the collector holding
// 200k active series. Part of ingest.bench.js (its figures land in bench/results/ingest.json).
const autocannon = require('autocannon');
const crypto = require('crypto');
const { Client } = require('pg');
const snappy = require('snappy');
const { encodeWriteRequest } = require('../../core/dist/testing');
const { ExportTraceServiceRequest } = require('../../collector/dist/otlp/otlp-proto');
const { startBenchCollector, BENCH_TOKEN } = require('./collector');

const SAMPLES_PER_REQUEST = 1000;
const SERIES = 200;
// The OTel BatchSpanProcessor's default export batch.
const SPANS_PER_REQUEST = 512;

/** The same samples as JSON push bodies and as snappy WriteRequests (grouped by series). */
function sampleBodies(count) {
  const json = [];
  const remote = [];
  const start = Date.now() - 3_600_000;
  for (let b = 0; b < count; b++) {
    const samples = [];
    const bySeries = new Map();
    for (let i = 0; i < SAMPLES_PER_REQUEST; i++) {
      const s = i % SERIES;
      const name = `bench_metric_${s % 20}`;
      const labels = { host: `host-${s % 10}`, shard: String(Math.floor(s / 20)) };
      const value = Math.random() * 100;
      const ts = start + b * 10 + Math.floor(i / SERIES);
      samples.push({ name, value, labels, ts });
      if (!bySeries.has(s)) {
        bySeries.set(s, {
          labels: [
            { name: '__name__', value: name },
            ...Object.entries(labels).map(([n, v]) => ({ name: n, value: v })),
          ],
          samples: [],
        });
      }
      bySeries.get(s).samples.push({ value, timestampMs: ts });
    }
    json.push(JSON.stringify({ samples }));
    remote.push(snappy.compressSync(encodeWriteRequest([...bySeries.values()])));
  }
  return { json, remote };
}

/**
 * OTLP protobuf trace exports of model-call spans, every span id unique, and the same LLM
 * requests as /v1/push bodies (the reference: same rows, same pricing, same writer).
 */
function spanBodies(count) {
  const bodies = [];
  const pushes = [];
  const now = BigInt(Date.now() - 60_000) * 1_000_000n;
  const attr = (key, v) => ({ key, value: typeof v === 'string' ? { stringValue: v } : { intValue: v } });
  for (let b = 0; b < count; b++) {
    const spans = [];
    for (let i = 0; i < SPANS_PER_REQUEST; i++) {
      spans.push({
        traceId: crypto.randomBytes(16),
        spanId: crypto.randomBytes(8),
        name: 'chat gpt-4o-mini',
        kind: 3,
        startTimeUnixNano: String(now + BigInt(b * 1000 + i) * 1000n),
        endTimeUnixNano: String(now + BigInt(b * 1000 + i) * 1000n + 800_000_000n),
        attributes: [
          attr('gen_ai.operation.name', 'chat'),
          attr('gen_ai.provider.name', 'openai'),
          attr('gen_ai.request.model', 'gpt-4o-mini'),
          attr('gen_ai.usage.input_tokens', 500 + i),
          attr('gen_ai.usage.output_tokens', 100),
          attr('user.id', `u${i % 50}`),
        ],
      });
    }
    pushes.push(
      JSON.stringify({
        llm: spans.map((sp, i) => ({
          ts: Number(BigInt(sp.startTimeUnixNano) / 1_000_000n),
          provider: 'openai',
          model: 'gpt-4o-mini',
          operation: 'chat',
          input_tokens: 500 + i,
          output_tokens: 100,
          latency_ms: 800,
          status: 'ok',
          user_id: `u${i % 50}`,
        })),
      }),
    );
    const msg = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        { resource: { attributes: [attr('service.name', 'bench-app')] }, scopeSpans: [{ spans }] },
      ],
    });
    bodies.push(Buffer.from(ExportTraceServiceRequest.encode(msg).finish()));
  }
  return { bodies, pushes };
}

function load(url, { path, headers, bodies, connections, duration }) {
  let i = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: url + path,
        method: 'POST',
        connections,
        duration,
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...headers },
        requests: [{ setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    autocannon.track(instance, {
      renderProgressBar: false,
      renderResultsTable: false,
      renderLatencyTable: false,
    });
  });
}

async function count(databaseUrl, table) {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const r = await c.query(`SELECT count(*)::int AS n FROM ${table}`);
  await c.end();
  return r.rows[0].n;
}

const REMOTE_HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

/**
 * Durable samples/s of JSON push and remote write on one collector, in alternating rounds so
 * that load from elsewhere on the machine falls on both alike; every acknowledged sample must
 * be stored.
 */
async function samplesRates(duration) {
  const { json, remote } = sampleBodies(64);
  const protocols = {
    json_push: { path: '/v1/push', headers: { 'content-type': 'application/json' }, bodies: json },
    remote_write: { path: '/api/v1/write', headers: REMOTE_HEADERS, bodies: remote },
  };
  const collector = await startBenchCollector('postgres', 'bench_push_vs_remote_write');
  const { url, storage } = collector;
  const totals = {};
  for (const [name, p] of Object.entries(protocols)) {
    await load(url, { ...p, connections: 4, duration: 2 }); // warm-up: JIT, series cache
    totals[name] = { acked: 0, seconds: 0, requests: 0, p50: [], p99: [], non_2xx: 0 };
  }
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    for (const [name, p] of Object.entries(protocols)) {
      const before = await count(storage.databaseUrl, 'metric_samples');
      const r = await load(url, {
        ...p,
        connections: 16,
        duration: Math.max(2, Math.round(duration / rounds)),
      });
      const stored = (await count(storage.databaseUrl, 'metric_samples')) - before;
      const acked = r['2xx'] * SAMPLES_PER_REQUEST;
      if (stored < acked) throw new Error(`${name}: ${acked} samples acknowledged, ${stored} stored`);
      const t = totals[name];
      t.acked += acked;
      t.seconds += r.duration;
      t.requests += r.requests.total;
      t.p50.push(r.latency.p50);
      t.p99.push(r.latency.p99);
      t.non_2xx += r.non2xx;
    }
  }
  const peak = collector.svc.memory().peakRssMb;
  await collector.stop();
  const out = {};
  for (const [name, t] of Object.entries(totals)) {
    out[name] = {
      samples_per_s: t.acked / t.seconds,
      requests_per_s: t.requests / t.seconds,
      latency_p50_ms: Math.max(...t.p50),
      latency_p99_ms: Math.max(...t.p99),
      non_2xx: t.non_2xx,
      rounds,
    };
  }
  return { ...out, peak_rss_mb: peak };
}

async function spansRate(duration, kind) {
  const { bodies, pushes } = spanBodies(300);
  const collector = await startBenchCollector('postgres', `bench_llm_${kind}`);
  const { url, storage } = collector;
  const r = await load(url, {
    path: kind === 'spans' ? '/v1/traces' : '/v1/push',
    headers: { 'content-type': kind === 'spans' ? 'application/x-protobuf' : 'application/json' },
    bodies: kind === 'spans' ? bodies : pushes,
    connections: 8,
    duration,
  });
  await collector.stop();
  // Bodies repeat once the run outlasts them and repeats are deduplicated: count stored rows too.
  const stored = await count(storage.databaseUrl, 'llm_requests');
  return {
    requests_per_s: r.requests.average,
    spans_per_s: Math.min(stored, r['2xx'] * SPANS_PER_REQUEST) / r.duration,
    acknowledged_spans_per_s: (r['2xx'] * SPANS_PER_REQUEST) / r.duration,
    latency_p50_ms: r.latency.p50,
    latency_p99_ms: r.latency.p99,
    non_2xx: r.non2xx,
  };
}

/** Remote-writes 200k distinct series twice (creation, then steady state); peak RSS of the collector. */
async function activeSeriesMemory(total = 200_000) {
  const collector = await startBenchCollector('postgres', 'bench_active_series');
  const { url, svc, storage } = collector;
  const idle = svc.memory().rssMb;
  const perRequest = 2000;
  const bodyFor = (from, ts) => {
    const series = [];
    for (let s = from; s < from + perRequest; s++) {
      series.push({
        labels: [
          { name: '__name__', value: `dcgm_gpu_metric_${s % 50}` },
          { name: 'instance', value: `gpu-node-${Math.floor(s / 400)}:9400` },
          { name: 'gpu', value: String(s % 8) },
          { name: 'series', value: String(s) },
        ],
        samples: [{ value: s % 100, timestampMs: ts }],
      });
    }
    return snappy.compressSync(encodeWriteRequest(series));
  };
  const started = Date.now();
  for (const pass of [0, 1]) {
    const ts = Date.now() - 120_000 + pass * 60_000;
    for (let from = 0; from < total; from += perRequest * 4) {
      await Promise.all(
        [0, 1, 2, 3]
          .map((k) => from + k * perRequest)
          .filter((f) => f < total)
          .map(async (f) => {
            const res = await fetch(url + '/api/v1/write', {
              method: 'POST',
              headers: { authorization: `Bearer ${BENCH_TOKEN}`, ...REMOTE_HEADERS },
              body: bodyFor(f, ts),
            });
            if (res.status !== 204) throw new Error(`remote write ${res.status}: ${await res.text()}`);
          }),
      );
    }
  }
  const seconds = (Date.now() - started) / 1000;
  const mem = svc.memory();
  await collector.stop();
  const series = await count(storage.databaseUrl, 'metric_series');
  if (series !== total) throw new Error(`expected ${total} series, found ${series}`);
  return { series, idle_rss_mb: idle, peak_rss_mb: mem.peakRssMb, rss_after_mb: mem.rssMb, seconds };
}

async function benchProtocols(duration) {
  const rates = await samplesRates(duration);
  const push = rates.json_push;
  const rw = rates.remote_write;
  console.log('json push', push, 'remote write', rw);
  const llmPush = await spansRate(duration, 'push');
  console.log('llm push', llmPush);
  const spans = await spansRate(duration, 'spans');
  console.log('otlp spans', spans);
  const active = await activeSeriesMemory();
  console.log('active series', active);
  const results = [
    {
      name: 'JSON push samples/s (reference: same samples, alternating rounds)',
      value: push.samples_per_s,
      unit: 'samples/s',
    },
    {
      name: 'remote write samples/s',
      value: rw.samples_per_s,
      unit: 'samples/s',
      target: `>= JSON push (${Math.round(push.samples_per_s)})`,
    },
    {
      name: 'remote write / JSON push',
      value: rw.samples_per_s / push.samples_per_s,
      unit: 'ratio',
      target: '>= 1',
    },
    { name: 'remote write latency p99', value: rw.latency_p99_ms, unit: 'ms' },
    {
      name: 'JSON push of the same LLM requests (reference)',
      value: llmPush.spans_per_s,
      unit: 'requests/s',
    },
    { name: 'OTLP GenAI spans/s (durable)', value: spans.spans_per_s, unit: 'spans/s' },
    { name: 'peak RSS with 200k active series', value: active.peak_rss_mb, unit: 'MB' },
    { name: 'RSS of the idle collector (reference)', value: active.idle_rss_mb, unit: 'MB' },
  ];
  return {
    results,
    detail: {
      json_push: push,
      remote_write: rw,
      llm_push: llmPush,
      otlp_spans: spans,
      active_series: active,
    },
  };
}

module.exports = { benchProtocols };
