// Live stream latency: push → SSE client and push → WebSocket client, with 50 clients
// connected, against the collector process on PostgreSQL (fsync on) and on PGlite.
// Each pushed training item carries its send time; every client measures arrival minus send
// time (one clock: same process). The path measured: HTTP push, group commit, NOTIFY,
// LISTEN → read of the committed range → fan-out. Target (original plan): p95 < 100 ms.
const http = require('http');
const WebSocket = require('ws');
const { writeResults } = require('./lib/results');
const { startBenchCollector, BENCH_TOKEN } = require('./lib/collector');

const TOKEN = BENCH_TOKEN;
const CLIENTS = 50;
const PUSHES = Number(process.env.BENCH_STREAM_PUSHES ?? 200);
const INTERVAL_MS = 20;

function openSse(url, runId, onMessage) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/v1/stream/training?run_id=${runId}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').find((l) => l.startsWith('data: '));
            if (data) onMessage(JSON.parse(data.slice(6)).data);
          }
        });
        resolve(() => req.destroy());
      },
    );
    req.on('error', reject);
  });
}

async function openWs(url, runId, onMessage) {
  const ws = new WebSocket(url.replace('http', 'ws') + '/v1/ws', {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const subscribed = new Promise((resolve) =>
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.message_type === 'subscribed') resolve();
      if (m.event === 'metrics_update') onMessage(m.data);
    }),
  );
  ws.send(JSON.stringify({ action: 'subscribe', run_id: runId }));
  await subscribed;
  return () => ws.close();
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(url, kind) {
  const runId = `bench-${kind}`;
  const latencies = [];
  const onMessage = (data) => latencies.push(Date.now() - data.metrics.sent_at);
  const closers = [];
  for (let i = 0; i < CLIENTS; i++)
    closers.push(await (kind === 'sse' ? openSse : openWs)(url, runId, onMessage));
  const push = (epoch) =>
    fetch(`${url}/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        training: [{ run_id: runId, epoch, metrics: { train_loss: 1 / (epoch + 1), sent_at: Date.now() } }],
      }),
    }).then((r) => r.arrayBuffer());
  for (let i = 0; i < 10; i++) await push(i); // warm-up
  const warm = Date.now() + 10_000;
  while (latencies.length < 10 * CLIENTS && Date.now() < warm) await new Promise((r) => setTimeout(r, 20));
  latencies.length = 0;
  const inflight = [];
  for (let i = 0; i < PUSHES; i++) {
    inflight.push(push(100 + i));
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  await Promise.all(inflight);
  const expected = PUSHES * CLIENTS;
  const deadline = Date.now() + 10_000;
  while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  closers.forEach((c) => c());
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    delivered: latencies.length,
    expected,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1),
  };
}

async function benchDriver(driver) {
  const collector = await startBenchCollector(driver, 'bench_streams');
  const { url } = collector;
  try {
    const out = {};
    for (const kind of ['sse', 'ws']) {
      out[kind] = await measure(url, kind);
      console.log(`${driver} ${kind}: ${JSON.stringify(out[kind])}`);
    }
    return out;
  } finally {
    await collector.stop();
  }
}

async function main() {
  if (!process.env.BENCH_DATABASE_URL)
    throw new Error('BENCH_DATABASE_URL is not set: run through `npm run bench`');
  const results = [];
  const raw = {};
  for (const driver of ['postgres', 'pglite']) {
    raw[driver] = await benchDriver(driver);
    for (const kind of ['sse', 'ws']) {
      const r = raw[driver][kind];
      const label = `${driver} push→${kind === 'sse' ? 'SSE' : 'WebSocket'} (${CLIENTS} clients)`;
      results.push({ name: `${label} p50`, value: r.p50, unit: 'ms' });
      results.push({ name: `${label} p95`, value: r.p95, unit: 'ms', target: '< 100' });
      results.push({
        name: `${label} delivered`,
        value: r.delivered / r.expected,
        unit: 'fraction',
        target: '1',
      });
    }
  }
  writeResults('streams', results, { clients: CLIENTS, pushes: PUSHES, push_interval_ms: INTERVAL_MS, raw });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
