import { BatchWriter, queryRange, type Database, type LlmRow, type Queryable } from '@aihub/core';
import {
  createTestStorage,
  recordingQueryable as recording,
  TEST_DRIVERS,
  type TestStorage,
} from '@aihub/core/testing';
import { thresholdRuleSchema } from '../config/schema';
import { thresholdRuleValues } from './series-values';

const HOUR = 3_600_000;
// Off every minute boundary, so the windows start and end inside a rolled-up minute.
const NOW = Date.UTC(2026, 4, 20, 14, 37, 23, 456);

function request(timeMs: number, i: number, model: string): LlmRow {
  return {
    timeMs,
    provider: 'openai',
    model,
    operation: 'chat',
    inputTokens: 300,
    outputTokens: 80,
    cachedTokens: 0,
    // Slower now than a day ago, for one model.
    latencyMs: 200 + ((i * 53) % 700) * (model === 'gpt-4o' && timeMs > NOW - HOUR ? 2 : 1),
    ttftMs: null,
    status: 'ok',
    errorType: null,
    cacheHit: false,
    costUsd: 0.002 * (1 + (i % 3)) * (timeMs > NOW - HOUR ? 4 : 1),
    priced: true,
    userId: null,
    sessionId: null,
    organizationId: null,
    tags: {},
  };
}

// The shipped long-window rules (alerting/config/defaults.yaml).
const latencyRegression = thresholdRuleSchema.parse({
  name: 'llm_latency_regression',
  type: 'threshold',
  metric: 'llm_latency_ms_p95',
  window: '15m',
  divide_by: { offset: '24h' },
  op: '>',
  threshold: 1.5,
});
const costSpike = thresholdRuleSchema.parse({
  name: 'llm_cost_spike',
  type: 'threshold',
  metric: 'llm_cost_usd',
  window: '1h',
  divide_by: { window: '24h', offset: '1h' },
  op: '>',
  threshold: 3,
});

/** The aggregate over [from, to] per model from raw rows: what the rule means. */
async function rawByModel(db: Queryable, name: string, fromMs: number, toMs: number) {
  const r = await queryRange(db, { name, fromMs, toMs, stepMs: 1e13, rollups: false });
  return new Map(r.series.map((s) => [s.labels.model, s.points[0][1]]));
}

describe.each(TEST_DRIVERS)('long-window LLM baselines read the rollups on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
    const llm: LlmRow[] = [];
    let i = 0;
    for (let t = NOW - 26 * HOUR; t <= NOW; t += 45_000 + (i % 7) * 1_000, i++)
      for (const model of ['gpt-4o', 'gpt-4o-mini']) llm.push(request(t, i, model));
    const writer = new BatchWriter(db);
    await writer.write({ batch: { samples: [], llm, training: [] }, accepted: llm.length });
    await writer.close();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('p95 latency against a day earlier: counted on the rollup, exact from raw rows at this volume', async () => {
    const rec = recording(db);
    const { values } = await thresholdRuleValues(rec.db, latencyRegression, NOW);
    // A few hundred requests per window: exact p95s (the histograms answer above
    // EXACT_P95_MAX_REQUESTS; core's rollups.test.ts covers that path).
    expect(rec.sql.join('\n')).toMatch(/FROM llm_rollup_1m/);
    expect(rec.sql.join('\n')).not.toMatch(/llm_latency_hist_1m/);
    const now = await rawByModel(db, 'llm_latency_ms_p95', NOW - 15 * 60_000, NOW);
    const dayAgo = await rawByModel(db, 'llm_latency_ms_p95', NOW - 24 * HOUR - 15 * 60_000, NOW - 24 * HOUR);
    expect(values.map((v) => v.labels.model).sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    for (const v of values) {
      const want = now.get(v.labels.model)! / dayAgo.get(v.labels.model)!;
      expect(v.value).toBeCloseTo(want, 9);
    }
    expect(values.find((v) => v.labels.model === 'gpt-4o')!.value).toBeGreaterThan(1.5);
  });

  test('cost of the last hour against the 24 hours before it: exactly the raw sums', async () => {
    const rec = recording(db);
    const { values } = await thresholdRuleValues(rec.db, costSpike, NOW);
    expect(rec.sql.join('\n')).toMatch(/llm_rollup_1m/);
    const hour = await rawByModel(db, 'llm_cost_usd', NOW - HOUR, NOW);
    const day = await rawByModel(db, 'llm_cost_usd', NOW - 25 * HOUR, NOW - HOUR);
    for (const v of values) {
      const want = hour.get(v.labels.model)! / (day.get(v.labels.model)! / 24);
      expect(v.value).toBeCloseTo(want, 9);
    }
    expect(values.map((v) => v.value).every((x) => x > 3)).toBe(true);
  });
});
