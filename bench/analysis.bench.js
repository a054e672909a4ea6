// Analysis benchmarks (plain JS over the built packages; `npm run bench` builds first):
//  1. POST /v1/analyze, deterministic part (no LLM): 10 series × 10k points over real HTTP,
//     p50/p95 over 40 requests (target p95 < 100 ms); plus diagnose() alone in-process.
//  2. POST /v1/chat time to first delta through the analysis router against the local
//     OpenAI-compatible test server, minus the server's own time to first chunk (target < 50 ms).
// Uses PostgreSQL when BENCH_DATABASE_URL is set, else embedded PGlite. Writes bench/results/analysis.json.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const express = require('express');
const core = require('../core/dist');
const { createAnalysisRouter } = require('../collector/dist/analysis');
const { writeResults } = require('./lib/results');
const { startBenchCollector, BENCH_TOKEN } = require('./lib/collector');

const { openDatabase, migrate, createLogger, createLlmClient, DEFAULT_LLM_OPTIONS, diagnose } = core;
const { startOpenAiTestServer, trainingRun, llmTraffic } = require('../core/dist/testing');
const logger = createLogger({ level: 'error' });
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const round = (v) => Math.round(v * 100) / 100;

/** 10 series × 10k points: two training runs' worth of curves plus LLM signals. */
function workload() {
  const series = [
    ...trainingRun({
      runId: 'bench-a',
      epochs: 1000,
      stepsPerEpoch: 10,
      trainLoss: (e) => 2 * Math.exp(-e / 300) + 0.1,
      valLoss: (e) => 2.2 * Math.exp(-e / 300) + 0.12,
    }).slice(0, 4),
    ...llmTraffic({ provider: 'openai', model: 'gpt-4o', buckets: 10_000, requests: 3 }),
  ];
  // Every series exactly 10k points (val/epoch-level series are repeated in time to reach it).
  return series.slice(0, 10).map((s) => {
    const pts = [];
    for (let i = 0; i < 10_000; i++) {
      const p = s.points[i % s.points.length];
      pts.push([1_760_000_000_000 + i * 1000, p[1]]);
    }
    return { name: s.name, labels: s.labels, points: pts };
  });
}

async function listen(app) {
  const server = http.createServer(app);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}` };
}

/**
 * Against the real collector process (as users run it), so the bench's own request building
 * and response parsing do not share the server's event loop.
 */
async function analyzeLatency() {
  const collector = await startBenchCollector(
    process.env.BENCH_DATABASE_URL ? 'postgres' : 'pglite',
    'bench_analyze',
    {
      LOG_LEVEL: 'error',
      OPENAI_API_KEY: '',
    },
  );
  const { url } = collector;
  const series = workload();
  const body = JSON.stringify({ kind: 'auto', series });
  const times = [];
  for (let i = 0; i < 45; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/analyze`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
      body,
    });
    const json = await res.json();
    if (res.status !== 200 || !json.findings) throw new Error(`analyze failed: ${res.status}`);
    if (i >= 5) times.push(performance.now() - t0); // first 5 warm up the JIT
  }
  const inProcess = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    diagnose(series, 'auto');
    inProcess.push(performance.now() - t0);
  }
  await collector.stop();
  return {
    bytes: body.length,
    p50: pct(times, 0.5),
    p95: pct(times, 0.95),
    diagnoseP50: pct(inProcess, 0.5),
  };
}

async function chatFirstDelta(db) {
  const llmServer = await startOpenAiTestServer({
    defaultBehaviour: { type: 'stream', chunks: ['First', ' words', ' of', ' the', ' answer.'] },
  });
  const llm = createLlmClient({
    ...DEFAULT_LLM_OPTIONS,
    apiKey: 'bench',
    baseURL: llmServer.baseURL,
    model: 'bench-model',
    provider: 'openai_compatible',
    cache: { maxEntries: 0, ttlMs: 0 },
  });
  const app = express();
  app.use(createAnalysisRouter({ db, llm, recordLlmUsage: async () => {}, logger }));
  const { server, url } = await listen(app);

  /** ms from sending the request to the first chunk containing `marker`. */
  async function firstChunk(target, body, marker) {
    const t0 = performance.now();
    const res = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify(body),
    });
    const reader = res.body.getReader();
    const dec = new TextDecoder();
    let seen = '';
    let t = NaN;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += dec.decode(value);
      if (Number.isNaN(t) && seen.includes(marker)) t = performance.now() - t0;
    }
    return t;
  }
  const direct = [];
  const through = [];
  for (let i = 0; i < 45; i++) {
    const question = `How is traffic? (${i})`;
    const d = await firstChunk(
      `${llmServer.baseURL}/chat/completions`,
      { model: 'bench-model', stream: true, messages: [{ role: 'user', content: question }] },
      '"content":"First"',
    );
    const c = await firstChunk(
      `${url}/v1/chat`,
      { messages: [{ role: 'user', content: question }] },
      'event: delta',
    );
    if (i >= 5) {
      direct.push(d);
      through.push(c);
    }
  }
  server.closeAllConnections();
  server.close();
  await llmServer.close();
  return {
    directP50: pct(direct, 0.5),
    throughP50: pct(through, 0.5),
    throughP95: pct(through, 0.95),
    overheadP50: pct(through, 0.5) - pct(direct, 0.5),
  };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'analysis-bench-'));
  const db = await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL, dataDir });
  await migrate(db);
  try {
    const a = await analyzeLatency();
    console.log('analyze', a);
    const c = await chatFirstDelta(db);
    console.log('chat', c);
    writeResults(
      'analysis',
      [
        {
          name: 'analyze 10×10k points p50 (collector process, HTTP, no LLM)',
          value: round(a.p50),
          unit: 'ms',
        },
        {
          name: 'analyze 10×10k points p95 (collector process, HTTP, no LLM)',
          value: round(a.p95),
          unit: 'ms',
          target: '< 100',
        },
        { name: 'diagnose() 10×10k points p50 (in-process)', value: round(a.diagnoseP50), unit: 'ms' },
        { name: 'chat first delta p50 via collector', value: round(c.throughP50), unit: 'ms' },
        { name: 'chat first delta p95 via collector', value: round(c.throughP95), unit: 'ms' },
        { name: 'LLM server first chunk p50 (direct)', value: round(c.directP50), unit: 'ms' },
        { name: 'chat first-delta overhead p50', value: round(c.overheadP50), unit: 'ms', target: '< 50' },
      ],
      { driver: db.driver, request_bytes: a.bytes },
    );
  } finally {
    await db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
