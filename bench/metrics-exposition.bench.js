// /metrics render time and size against the number of active LLM models, training runs and
// hosts: the exposition grows with attribute sets (each histogram set is ~17 lines), and this
// is what a Prometheus scrape costs the collector.
const http = require('http');
const { CollectorTelemetry } = require('../collector/dist/telemetry/telemetry');
const { writeResults } = require('./lib/results');

const pct = (xs, q) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * (xs.length - 1) + 0.5))];

async function measure({ models, runs, hosts }) {
  const t = new CollectorTelemetry({ serviceName: 'bench', liveGaugeTtlMs: 3_600_000, queueDepth: () => 0 });
  const now = Date.now();
  const llm = [];
  for (let m = 0; m < models; m++) {
    for (const status of ['ok', 'error']) {
      llm.push({
        timeMs: now,
        provider: `p${m % 5}`,
        model: `model-${m}`,
        operation: 'chat',
        inputTokens: 500,
        outputTokens: 100,
        cachedTokens: 0,
        latencyMs: 800,
        ttftMs: 200,
        status,
        errorType: status === 'error' ? 'rate_limit' : null,
        cacheHit: false,
        costUsd: 0.001,
        priced: true,
        userId: null,
        sessionId: null,
        organizationId: null,
        tags: {},
      });
    }
  }
  t.recordLlm(llm);
  t.recordTraining(
    Array.from({ length: runs }, (_, r) => ({
      runId: `run-${r}`,
      timeMs: now,
      epoch: 3,
      step: 300,
      status: null,
      modelInfo: null,
      metrics: {
        train_loss: 0.5,
        val_loss: 0.6,
        train_accuracy: 0.8,
        val_accuracy: 0.7,
        learning_rate: 1e-3,
        gradient_norm: 0.1,
        training_speed: 100,
        gpu_memory_used_gb: 6,
        gpu_memory_total_gb: 8,
      },
    })),
  );
  t.recordSystem(
    Array.from({ length: hosts }, (_, h) => ({
      host: `host-${h}`,
      ts: now,
      cpu_usage_percent: 50,
      memory_usage_percent: 50,
      disk_usage_percent: 50,
      load_avg_1m: 1,
      network_rx_bytes: 1,
      network_tx_bytes: 1,
      gpus: [
        {
          index: 0,
          utilization_percent: 90,
          memory_used_bytes: 1,
          memory_total_bytes: 2,
          temperature_celsius: 60,
        },
      ],
    })),
    now,
  );
  const server = http.createServer((req, res) => t.handleScrape(req, res));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}/metrics`;
  const times = [];
  let bytes = 0;
  for (let i = 0; i < 23; i++) {
    const s = performance.now();
    const text = await (await fetch(url)).text();
    if (i >= 3) times.push(performance.now() - s);
    bytes = text.length;
  }
  server.close();
  await t.shutdown();
  return { p50: pct(times, 0.5), p95: pct(times, 0.95), kb: bytes / 1024 };
}

async function main() {
  const cases = [
    { models: 10, runs: 10, hosts: 10 },
    { models: 100, runs: 100, hosts: 100 },
    { models: 500, runs: 500, hosts: 500 },
  ];
  const results = [];
  const raw = [];
  for (const c of cases) {
    const r = await measure(c);
    raw.push({ ...c, ...r });
    console.log(c, r);
    const label = `${c.models} models, ${c.runs} runs, ${c.hosts} hosts`;
    results.push({ name: `/metrics render p50 (${label})`, value: r.p50, unit: 'ms' });
    results.push({ name: `/metrics size (${label})`, value: r.kb, unit: 'KiB' });
  }
  writeResults('metrics-exposition', results, { cases: raw });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
