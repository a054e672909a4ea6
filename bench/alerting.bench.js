// Alerting benchmarks (plain JS over the built packages; `npm run bench` builds first):
//  1. push → webhook latency of a `for: 0s` rule at evaluation_interval 1s (p50/p95 over 20 trials)
//  2. evaluation time of 1,000 threshold rules over 10 series each
//  3. notification throughput: 500 alerts → 500 webhook deliveries
// Uses PostgreSQL when BENCH_DATABASE_URL is set, else embedded PGlite. Writes bench/results/alerting.json.
const fs = require('fs');
const { writeResults } = require('./lib/results');
const http = require('http');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { openDatabase, migrate, createLogger } = require('../core/dist');
const { createAlerting, parseAlertingConfig } = require('../alerting/dist');

const logger = createLogger({ level: 'error' });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

async function freshDb() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerting-bench-'));
  const db = await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL, dataDir });
  await migrate(db);
  if (process.env.BENCH_DATABASE_URL) {
    await db.exec(
      'TRUNCATE metric_series, metric_samples, alert_rules, alert_instances, alert_incidents, notification_groups, notification_outbox, notification_log, alerting_leader RESTART IDENTITY',
    );
  }
  return { db, dataDir };
}

async function insertSamples(db, name, labels, points) {
  const rows = await db.query(
    `INSERT INTO metric_series (name, labels) VALUES ($1, $2::jsonb) ON CONFLICT (name, labels) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [name, JSON.stringify(labels)],
  );
  await db.query(
    `INSERT INTO metric_samples (time, series_id, value) SELECT to_timestamp(t / 1000.0), $1, v FROM unnest($2::float8[], $3::float8[]) AS x(t, v)`,
    [rows[0].id, points.map((p) => p[0]), points.map((p) => p[1])],
  );
}

async function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ at: performance.now(), body });
      res.end('ok');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    got,
    close: () => new Promise((r) => (server.close(r), server.closeAllConnections())),
  };
}

async function pushToWebhookLatency() {
  const { db, dataDir } = await freshDb();
  const rx = await receiver();
  const config = parseAlertingConfig(
    `evaluation_interval: 1s
channels: [{name: hook, type: webhook, url: "${rx.url}"}]
routes: [{channels: [hook], group_by: [alertname, host], group_wait: 0s, group_interval: 1s}]
rules: [{name: hot, type: threshold, metric: bench_cpu, aggregation: last, window: 1m, op: ">", threshold: 90, for: 0s}]`,
    {},
  );
  const alerting = createAlerting({ config, db, port: 0, logger, handleSignals: false });
  await alerting.start();
  const latencies = [];
  for (let i = 0; i < 20; i++) {
    const before = rx.got.length;
    await sleep(Math.random() * 1000); // land anywhere in the evaluation cycle
    const t0 = performance.now();
    await insertSamples(db, 'bench_cpu', { host: `h${i}` }, [[Date.now(), 99]]);
    while (rx.got.length === before) await sleep(5);
    latencies.push(rx.got[before].at - t0);
  }
  await alerting.stop();
  await rx.close();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    trials: 20,
    evaluation_interval_ms: 1000,
    p50_ms: Math.round(pct(latencies, 0.5)),
    p95_ms: Math.round(pct(latencies, 0.95)),
    max_ms: Math.round(Math.max(...latencies)),
  };
}

async function evaluationTime() {
  const { db, dataDir } = await freshDb();
  const now = Date.now();
  const RULES = 1000;
  const SERIES = 10;
  for (let r = 0; r < RULES; r++) {
    for (let s = 0; s < SERIES; s++) {
      await insertSamples(
        db,
        `bench_metric_${r}`,
        { host: `h${s}` },
        [0, 1, 2, 3].map((k) => [now - k * 15_000, (r * 7 + s * 13 + k) % 100]),
      );
    }
  }
  const rules = [];
  for (let r = 0; r < RULES; r++)
    rules.push(
      `  - {name: rule_${r}, type: threshold, metric: bench_metric_${r}, aggregation: avg, window: 1m, op: ">", threshold: 50, for: 5m}`,
    );
  const config = parseAlertingConfig(`evaluation_interval: 1h\nrules:\n${rules.join('\n')}\n`, {});
  const alerting = createAlerting({ config, db, port: 0, logger, handleSignals: false, autoRun: false });
  await alerting.start();
  const cycles = [];
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    await alerting.runCycle();
    cycles.push(performance.now() - t0);
  }
  const instances = await db.query('SELECT count(*)::int AS n FROM alert_instances');
  await alerting.stop();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  // The first cycle writes 5,000 new pending instances; later ones only re-evaluate.
  return {
    rules: RULES,
    series_per_rule: SERIES,
    pending_instances: instances[0].n,
    first_cycle_ms: Math.round(cycles[0]),
    steady_cycle_ms: Math.round(pct(cycles.slice(1), 0.5)),
  };
}

async function notificationThroughput() {
  const { db, dataDir } = await freshDb();
  const rx = await receiver();
  const N = 500;
  const now = Date.now();
  for (let i = 0; i < N; i++) await insertSamples(db, 'bench_hot', { host: `h${i}` }, [[now, 99]]);
  const config = parseAlertingConfig(
    `evaluation_interval: 1h
channels: [{name: hook, type: webhook, url: "${rx.url}"}]
routes: [{channels: [hook], group_by: [alertname, host], group_wait: 0s}]
rules: [{name: hot, type: threshold, metric: bench_hot, aggregation: last, window: 1m, op: ">", threshold: 90}]`,
    {},
  );
  const alerting = createAlerting({ config, db, port: 0, logger, handleSignals: false, autoRun: false });
  await alerting.start();
  const t0 = performance.now();
  await alerting.runCycle();
  while (rx.got.length < N) await sleep(5);
  const ms = performance.now() - t0;
  await alerting.stop();
  await rx.close();
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return { notifications: N, total_ms: Math.round(ms), per_second: Math.round((N / ms) * 1000) };
}

async function main() {
  const driver = process.env.BENCH_DATABASE_URL ? 'postgres' : 'pglite';
  const result = { driver, node: process.version, cpus: os.cpus().length, at: new Date().toISOString() };
  result.push_to_webhook = await pushToWebhookLatency();
  console.log('push → webhook', result.push_to_webhook);
  result.evaluation = await evaluationTime();
  console.log('evaluation', result.evaluation);
  result.notification_throughput = await notificationThroughput();
  console.log('notification throughput', result.notification_throughput);
  const p = result.push_to_webhook;
  writeResults(
    'alerting',
    [
      { name: `push→webhook p50 (for: 0s, ${driver})`, value: p.p50_ms, unit: 'ms', target: '< 1000' },
      { name: `push→webhook p95 (for: 0s, ${driver})`, value: p.p95_ms, unit: 'ms' },
      {
        name: 'evaluation, 1,000 rules × 10 series, steady cycle',
        value: result.evaluation.steady_cycle_ms,
        unit: 'ms',
      },
      {
        name: 'notification throughput (webhook)',
        value: result.notification_throughput.per_second,
        unit: 'notifications/s',
      },
    ],
    result,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
