// Budget and probable-cause benchmarks (plain JS over the built packages; `npm run bench` builds first):
//  1. Budget evaluation with 10,000 instances (`by: user_id` over 10,000 users, 30,000 LLM
//     requests) per cycle: the first cycle (opens the incidents of the users over a threshold)
//     and steady cycles, side by side with the rule engine evaluating one threshold rule over
//     10,000 series in the same run (the same number of alert instances), and the spend query alone.
//  2. Notification latency added by probable-cause enrichment (p50/p95): against a real
//     collector process holding a training run, against an unresponsive collector (the 1 s
//     budget caps it), and the reference without enrichment.
// Uses PostgreSQL when BENCH_DATABASE_URL is set, else embedded PGlite. Writes bench/results/budgets.json.
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const core = require('../core/dist');
const { BudgetEvaluator } = require('../alerting/dist/budgets/evaluator');
const { budgetSchema } = require('../alerting/dist/budgets/schema');
const { RuleEngine } = require('../alerting/dist/rules/engine');
const { ruleSchema } = require('../alerting/dist/config/schema');
const { ProbableCause } = require('../alerting/dist/probable-cause/probable-cause');
const { writeResults } = require('./lib/results');
const { startBenchCollector, BENCH_TOKEN } = require('./lib/collector');

const { openDatabase, migrate, createLogger, llmSpendBy } = core;
const { trainingRun } = require('../core/dist/testing');
const logger = createLogger({ level: 'error' });
const USERS = 10_000;
const CYCLES = 10;
const SAMPLES = 40;
const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};
const round = (v) => Math.round(v * 100) / 100;

async function freshDb() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'budgets-bench-'));
  const db = await openDatabase({ databaseUrl: process.env.BENCH_DATABASE_URL, dataDir });
  await migrate(db);
  if (process.env.BENCH_DATABASE_URL)
    await db.exec(
      'TRUNCATE llm_requests, metric_series, metric_samples, alert_instances, alert_incidents RESTART IDENTITY',
    );
  return { db, dataDir };
}

async function timeCycles(fn) {
  const t0 = performance.now();
  await fn();
  const first = performance.now() - t0;
  const steady = [];
  for (let i = 0; i < CYCLES; i++) {
    const t = performance.now();
    await fn();
    steady.push(performance.now() - t);
  }
  return {
    first_ms: round(first),
    steady_p50_ms: round(pct(steady, 0.5)),
    steady_p95_ms: round(pct(steady, 0.95)),
  };
}

async function budgetEvaluation() {
  const { db, dataDir } = await freshDb();
  const now = Date.now();
  const dayStart = Date.UTC(
    new Date(now).getUTCFullYear(),
    new Date(now).getUTCMonth(),
    new Date(now).getUTCDate(),
  );
  const t = Math.max(dayStart, now - 3_600_000);
  // Three requests per user; user i spends i % 100 / 100 of the $1 limit: 50 % cross 50 %, 20 % cross 80 %.
  const users = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  await db.query(
    `INSERT INTO llm_requests (time, provider, model, user_id, cost_usd, input_tokens, output_tokens)
     SELECT to_timestamp($1 / 1000.0) + (k || ' ms')::interval, 'openai', 'gpt-4o', u, c / 3, 500, 100
     FROM unnest($2::text[], $3::float8[]) AS x(u, c), generate_series(1, 3) AS k`,
    [t, users, users.map((_, i) => (i % 100) / 100)],
  );
  const budget = budgetSchema.parse({
    name: 'user_daily',
    match: { provider: 'openai' },
    by: ['user_id'],
    period: 'day',
    limit_usd: 1,
    forecast: true,
  });
  const evaluator = new BudgetEvaluator({ db, logger });
  const budgets = await timeCycles(() => evaluator.evaluate([budget], now));
  const open = await db.query(`SELECT count(*)::int AS n FROM alert_incidents WHERE status <> 'resolved'`);
  const query = [];
  for (let i = 0; i < CYCLES; i++) {
    const t0 = performance.now();
    await llmSpendBy(db, { columns: { provider: 'openai' } }, ['user_id'], dayStart, now + 1);
    query.push(performance.now() - t0);
  }

  // Reference: the rule engine on one threshold rule over 10,000 series (one point each).
  const ids = await db.query(
    `INSERT INTO metric_series (name, labels) SELECT 'user_spend_usd', jsonb_build_object('user_id', u) FROM unnest($1::text[]) AS u RETURNING id`,
    [users],
  );
  await db.query(
    `INSERT INTO metric_samples (time, series_id, value) SELECT to_timestamp($1 / 1000.0), id, 0.1 FROM unnest($2::bigint[]) AS id`,
    [now - 10_000, ids.map((r) => r.id)],
  );
  const rule = ruleSchema.parse({
    name: 'user_spend_high',
    type: 'threshold',
    metric: 'user_spend_usd',
    aggregation: 'last',
    window: '5m',
    op: '>',
    threshold: 0.5,
  });
  const engine = new RuleEngine({ db, logger });
  const rules = await timeCycles(() => engine.evaluate([rule], now));
  await db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  return {
    instances: evaluator.lastStatus()[0].status.instances.length,
    open_incidents: open[0].n,
    budget_cycle: budgets,
    spend_query_p50_ms: round(pct(query, 0.5)),
    reference_rule_engine_10k_series: rules,
  };
}

/** A training run in a collector process, and the probable-cause latency against it. */
async function enrichmentLatency() {
  const driver = process.env.BENCH_DATABASE_URL ? 'postgres' : 'pglite';
  const collector = await startBenchCollector(driver, 'budgets_bench_cause');
  const runs = 8;
  try {
    for (let r = 0; r < runs; r++) {
      const series = trainingRun({
        runId: `run-${r}`,
        epochs: 40,
        start: Date.now() - 3_600_000,
        intervalMs: 10_000,
        trainLoss: (e) => 2 * Math.exp(-e / 8) + 0.1,
        valLoss: (e) =>
          (e < 15 ? 2.2 * Math.exp(-e / 8) : 2.2 * Math.exp(-15 / 8) * (1 + 0.04 * (e - 15))) + 0.1,
      });
      const byTs = new Map();
      for (const s of series)
        for (const [ts, v] of s.points)
          byTs.set(ts, { ...byTs.get(ts), [s.name.replace(/^training_/, '')]: v });
      const training = [...byTs].map(([ts, metrics]) => ({ run_id: `run-${r}`, ts, metrics }));
      const res = await fetch(`${collector.url}/v1/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ training }),
      });
      if (res.status !== 202) throw new Error(`push answered ${res.status}`);
    }
    const notification = (run) => ({
      receiver: 'hook',
      status: 'firing',
      groupKey: 'g',
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      externalURL: '',
      alerts: [
        {
          fingerprint: 'f',
          incidentId: 1,
          status: 'firing',
          labels: { alertname: 'val_loss_high', run_id: run, severity: 'warning' },
          annotations: {},
          value: 1,
          startsAt: Date.now(),
          endsAt: null,
          acknowledged: false,
        },
      ],
    });
    // A fresh enricher per sample: no cache, every notification pays the full call.
    const measure = async (cfg) => {
      const times = [];
      let withCause = 0;
      for (let i = 0; i < SAMPLES; i++) {
        const enricher = new ProbableCause(() => cfg, logger);
        const t0 = performance.now();
        const n = await enricher.enrich(notification(`run-${i % runs}`));
        times.push(performance.now() - t0);
        if (n.probableCause) withCause++;
      }
      return {
        p50_ms: round(pct(times, 0.5)),
        p95_ms: round(pct(times, 0.95)),
        with_cause: withCause,
        samples: SAMPLES,
      };
    };
    const live = await measure({
      collector_url: collector.url,
      token: BENCH_TOKEN,
      timeout: 1000,
      narrative: false,
      narrative_timeout: 5000,
    });
    const blackhole = http.createServer(() => undefined);
    await new Promise((r) => blackhole.listen(0, '127.0.0.1', r));
    const SAMPLES_DOWN = 5;
    const down = [];
    for (let i = 0; i < SAMPLES_DOWN; i++) {
      const enricher = new ProbableCause(
        () => ({
          collector_url: `http://127.0.0.1:${blackhole.address().port}`,
          timeout: 1000,
          narrative: false,
          narrative_timeout: 5000,
        }),
        logger,
      );
      const t0 = performance.now();
      await enricher.enrich(notification('run-0'));
      down.push(performance.now() - t0);
    }
    blackhole.closeAllConnections();
    blackhole.close();
    const none = await measure(undefined);
    return {
      driver,
      collector: live,
      unresponsive_collector: {
        p50_ms: round(pct(down, 0.5)),
        max_ms: round(Math.max(...down)),
        samples: SAMPLES_DOWN,
      },
      reference_without_enrichment: none,
    };
  } finally {
    await collector.stop();
  }
}

async function main() {
  const result = { node: process.version, cpus: os.cpus().length, at: new Date().toISOString() };
  result.budget_evaluation = await budgetEvaluation();
  console.log('budget evaluation', JSON.stringify(result.budget_evaluation));
  result.probable_cause = await enrichmentLatency();
  console.log('probable cause', JSON.stringify(result.probable_cause));
  const b = result.budget_evaluation;
  const p = result.probable_cause;
  writeResults(
    'budgets',
    [
      {
        name: 'budget evaluation, 10,000 instances, steady cycle p50',
        value: b.budget_cycle.steady_p50_ms,
        unit: 'ms',
        target: '< evaluation_interval (15 s)',
      },
      {
        name: 'budget evaluation, 10,000 instances, first cycle (opens incidents)',
        value: b.budget_cycle.first_ms,
        unit: 'ms',
      },
      {
        name: 'reference: rule engine, 1 rule × 10,000 series, steady cycle p50',
        value: b.reference_rule_engine_10k_series.steady_p50_ms,
        unit: 'ms',
      },
      { name: 'probable cause added latency p50 (collector)', value: p.collector.p50_ms, unit: 'ms' },
      {
        name: 'probable cause added latency p95 (collector)',
        value: p.collector.p95_ms,
        unit: 'ms',
        target: '≤ 1000 (hard budget)',
      },
      {
        name: 'probable cause added latency max (unresponsive collector)',
        value: p.unresponsive_collector.max_ms,
        unit: 'ms',
        target: '≈ 1000',
      },
      { name: 'reference: no enrichment p95', value: p.reference_without_enrichment.p95_ms, unit: 'ms' },
    ],
    result,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
