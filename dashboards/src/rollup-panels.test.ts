import fs from 'node:fs';
import path from 'node:path';
import { BatchWriter, refreshRollups, type Database, type LlmRow } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { expandSqlMacros } from './sql-macros';
import { extractTargets, type DashboardJson } from './targets';

const DAY = 86_400_000;
const dashboard = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'llm-usage.json'), 'utf8'),
) as DashboardJson;
const spend = extractTargets(dashboard).find((t) => t.panelTitle === 'Spend by model: today and last 7 days');

// What the panel showed when it read llm_requests itself.
const RAW_SPEND_SQL = `
  SELECT provider, model,
         coalesce(sum(cost_usd) FILTER (WHERE time >= date_trunc('day', now())), 0) AS "today USD",
         coalesce(sum(cost_usd), 0) AS "7 days USD",
         count(*) FILTER (WHERE NOT priced) AS "unpriced requests"
  FROM llm_requests
  WHERE time >= date_trunc('minute', now() - interval '7 days')
  GROUP BY provider, model
  ORDER BY "7 days USD" DESC`;

function request(timeMs: number, i: number): LlmRow {
  return {
    timeMs,
    provider: i % 2 ? 'openai' : 'anthropic',
    model: i % 2 ? 'gpt-4o' : 'claude',
    operation: 'chat',
    inputTokens: 10,
    outputTokens: 5,
    cachedTokens: 0,
    latencyMs: 100,
    ttftMs: null,
    status: 'ok',
    errorType: null,
    cacheHit: false,
    costUsd: i % 17 === 0 ? null : 0.01 * (1 + (i % 5)),
    priced: i % 17 !== 0,
    userId: null,
    sessionId: null,
    organizationId: null,
    tags: {},
  };
}

describe.each(TEST_DRIVERS)('the spend panel reads the LLM rollup on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
    const now = Date.now();
    const llm: LlmRow[] = [];
    for (let i = 0, t = now - 8 * DAY; t < now; i++, t += 97_000) llm.push(request(t, i));
    const writer = new BatchWriter(db);
    await writer.write({ batch: { samples: [], llm, training: [] }, accepted: llm.length });
    await writer.close();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('and shows what the raw rows show', async () => {
    expect(spend?.kind).toBe('sql');
    if (spend?.kind !== 'sql') return;
    expect(spend.rawSql).toMatch(/FROM llm_rollup_1m/);
    const sql = spend.rawSql.replace(/\$\{(provider|model):regex\}/g, '.*');
    const panel = await db.query<Record<string, unknown>>(sql);
    const raw = await db.query<Record<string, unknown>>(RAW_SPEND_SQL);
    const numbers = (rows: Record<string, unknown>[]) =>
      rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [
            k,
            typeof v === 'string' && k !== 'provider' && k !== 'model' ? Number(v) : v,
          ]),
        ),
      );
    expect(numbers(panel).map((r) => [r.provider, r.model, r['unpriced requests']])).toEqual(
      numbers(raw).map((r) => [r.provider, r.model, r['unpriced requests']]),
    );
    numbers(panel).forEach((r, i) => {
      expect(r['7 days USD'] as number).toBeCloseTo(numbers(raw)[i]['7 days USD'] as number, 9);
      expect(r['today USD'] as number).toBeCloseTo(numbers(raw)[i]['today USD'] as number, 9);
    });
  });
});

const training = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'training.json'), 'utf8'),
) as DashboardJson;
const loss = extractTargets(training).find((t) => t.panelTitle === 'Loss history (database)');

// What the panel showed when it averaged metric_samples itself.
const RAW_LOSS_SQL = `
  SELECT $__timeGroupAlias(s.time, $__interval),
         (ser.labels->>'run_id') || ' ' || replace(ser.name, 'training_', '') AS metric,
         avg(s.value) AS value
  FROM metric_samples s
  JOIN metric_series ser ON ser.id = s.series_id
  WHERE $__timeFilter(s.time)
    AND ser.name IN ('training_train_loss', 'training_val_loss')
    AND ser.labels->>'run_id' ~ '^(\${run_id:regex})$'
  GROUP BY 1, 2
  ORDER BY 1`;

describe.each(TEST_DRIVERS)('the loss history panel reads the minute rollup on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  // Two hours of samples every 7 s from a mid-minute start; the read starts and ends mid-minute.
  const t0 = Date.UTC(2026, 4, 6, 10, 0, 0) + 4_321;
  const from = new Date(t0 + 13_500);
  const to = new Date(t0 + 2 * 3_600_000 - 18_700);
  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
    const samples = [];
    for (let i = 0, t = t0; t < t0 + 2 * 3_600_000; i++, t += 7_000)
      for (const run of ['r1', 'r2', 'other'])
        for (const name of ['training_train_loss', 'training_val_loss', 'training_learning_rate'])
          samples.push({
            name,
            labels: { run_id: run },
            timeMs: t + (name.length % 3),
            value: 1 / (1 + i) + (i % 7) * 0.01,
          });
    // Exactly on the range's edges: the raw query keeps both ends.
    for (const at of [from, to])
      samples.push({ name: 'training_val_loss', labels: { run_id: 'r1' }, timeMs: at.getTime(), value: 9 });
    const writer = new BatchWriter(db);
    await writer.write({ batch: { samples, llm: [], training: [] }, accepted: samples.length });
    await writer.close();
    await refreshRollups(db); // TimescaleDB: materialise the continuous aggregate
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  const expand = (sql: string, intervalMs: number) =>
    expandSqlMacros(sql.replace(/\$\{run_id:regex\}/g, 'r1|r2'), {
      from,
      to,
      intervalMs,
      timescaledb: driver === 'timescaledb',
    });
  const rows = async (sql: string) =>
    (await db.query<{ time: unknown; metric: string; value: number | string }>(sql)).map((r) => ({
      time: Number(r.time instanceof Date ? r.time.getTime() / 1000 : r.time),
      metric: r.metric,
      value: Number(r.value),
    }));

  test.each([
    ['5m (minute rollup plus raw fringes)', 300_000],
    ['15s (raw rows)', 15_000],
  ])('at an interval of %s it shows what the raw rows show', async (_label, intervalMs) => {
    expect(loss?.kind).toBe('sql');
    if (loss?.kind !== 'sql') return;
    expect(loss.rawSql).toMatch(/FROM metric_rollup_1m/);
    const panel = await rows(expand(loss.rawSql, intervalMs));
    const raw = await rows(expand(RAW_LOSS_SQL, intervalMs));
    expect(raw.length).toBeGreaterThan(intervalMs === 300_000 ? 40 : 900);
    expect(new Set(raw.map((r) => r.metric))).toEqual(
      new Set(['r1 train_loss', 'r1 val_loss', 'r2 train_loss', 'r2 val_loss']),
    );
    const byKey = (rs: typeof raw) => rs.map((r) => `${r.time} ${r.metric}`).sort();
    expect(byKey(panel)).toEqual(byKey(raw));
    const want = new Map(raw.map((r) => [`${r.time} ${r.metric}`, r.value]));
    for (const r of panel) expect(r.value).toBeCloseTo(want.get(`${r.time} ${r.metric}`)!, 9);
    // Whole minutes read the rollup, other intervals only raw rows: PostgreSQL folds the guards.
    const plan = (await db.query<Record<string, string>>(`EXPLAIN ${expand(loss.rawSql, intervalMs)}`))
      .map((r) => Object.values(r)[0])
      .join('\n');
    if (intervalMs === 300_000 && driver !== 'timescaledb') expect(plan).toMatch(/metric_rollup_1m/);
    if (intervalMs !== 300_000) expect(plan).not.toMatch(/metric_rollup_1m|_materialized_hypertable/);
  });
});
