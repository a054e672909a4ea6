import {
  BatchWriter,
  createLogger,
  listSeries,
  queryRange,
  type Aggregation,
  type Database,
  type Logger,
} from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { ruleSchema, thresholdRuleSchema, type Rule } from '../config/schema';
import { compare } from './compare';
import { RuleEngine } from './engine';
import { labelsKey } from '../types/labels';
import { SERIES_PER_QUERY, thresholdRuleValues } from './series-values';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
// More series than one page holds, so paging and page boundaries are exercised.
const HOSTS = 3 * SERIES_PER_QUERY + 37;

/** Deterministic CPU-like values: some hosts run hot, some have gaps, one is NaN. */
function cpu(host: number, k: number): number {
  if (host === 3 && k === 2) return NaN;
  return host % 7 === 0 ? 90 + ((host + k) % 9) : (host * 13 + k * 5) % 80;
}

function capturingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { logger: createLogger({ level: 'warn', write: (line) => warnings.push(line) }), warnings };
}

describe.each(TEST_DRIVERS)('set-based evaluation on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
    const writer = new BatchWriter(db);
    const samples: { name: string; labels: Record<string, string>; timeMs: number; value: number }[] = [];
    for (let h = 0; h < HOSTS; h++) {
      // Every 5th host reported only once, long ago: no data in the window.
      const points = h % 5 === 4 ? [-10 * 60_000] : [-45_000, -30_000, -15_000, 0];
      points.forEach((dt, k) =>
        samples.push({
          name: 'system_cpu_usage_percent',
          labels: { host: `h${h}`, dc: h % 2 ? 'a' : 'b' },
          timeMs: NOW + dt,
          value: cpu(h, k),
        }),
      );
    }
    await writer.write({ batch: { samples, llm: [], training: [] }, accepted: samples.length });
    await writer.close();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  /** The pre-change way, one query per series: core's whole-window aggregate for each. */
  async function perSeries(aggregation: Aggregation, matchers = {}) {
    const out = new Map<string, number>();
    const all = await listSeries(db, 'system_cpu_usage_percent', matchers);
    for (const s of all) {
      const one = await queryRange(db, {
        name: 'system_cpu_usage_percent',
        matchers: s.labels,
        fromMs: NOW - 60_000,
        toMs: NOW,
        stepMs: 1e13,
        agg: aggregation,
      });
      const p = one.series[0]?.points[0];
      if (p) out.set(labelsKey(s.labels), p[1]);
    }
    return out;
  }

  test.each(['avg', 'last', 'max', 'min', 'sum', 'count', 'p95', 'rate'] as const)(
    '%s over more series than one page equals one query per series',
    async (aggregation) => {
      const rule = thresholdRuleSchema.parse({
        name: 'r',
        type: 'threshold',
        metric: 'system_cpu_usage_percent',
        matchers: { dc: 'a' },
        aggregation,
        window: '1m',
        op: '>',
        threshold: 80,
      });
      const { values, beyondCap } = await thresholdRuleValues(db, rule, NOW);
      const expected = await perSeries(aggregation, { dc: 'a' });
      expect(beyondCap).toBe(0);
      expect(values.length).toBe(expected.size);
      expect(values.length).toBeGreaterThan(SERIES_PER_QUERY);
      for (const v of values) {
        const e = expected.get(labelsKey(v.labels));
        if (Number.isNaN(e)) expect(v.value).toBeNaN();
        else expect(v.value).toBeCloseTo(e!, 9);
      }
    },
  );

  test('the engine opens the same alert instances as per-series evaluation', async () => {
    const rule = ruleSchema.parse({
      name: 'hot',
      type: 'threshold',
      metric: 'system_cpu_usage_percent',
      aggregation: 'avg',
      window: '1m',
      op: '>',
      threshold: 80,
    }) as Rule & { type: 'threshold' };
    const engine = new RuleEngine({ db, logger: createLogger({ level: 'error' }) });
    await engine.evaluate([rule], NOW);
    const got = engine
      .snapshot()
      .map((s) => s.labels.host)
      .sort();
    const expected = [...(await perSeries('avg'))]
      .filter(([, v]) => compare('>', v, 80))
      .map(([key]) => Object.fromEntries(JSON.parse(key) as [string, string][]).host)
      .sort();
    expect(got.length).toBeGreaterThan(100);
    expect(got).toEqual(expected);
    expect(engine.snapshot().every((s) => s.state === 'firing')).toBe(true);
  });

  test('max_series keeps the oldest series, reports the rest and warns once', async () => {
    const { logger, warnings } = capturingLogger();
    const rule = ruleSchema.parse({
      name: 'capped',
      type: 'threshold',
      metric: 'system_cpu_usage_percent',
      aggregation: 'last',
      window: '1h',
      op: '>',
      threshold: -1,
      max_series: 100,
    }) as Rule & { type: 'threshold' };
    const { values, beyondCap } = await thresholdRuleValues(db, rule, NOW);
    expect(values.map((v) => v.labels.host)).toEqual([...Array(100)].map((_, i) => `h${i}`));
    expect(beyondCap).toBe(HOSTS - 100);

    const engine = new RuleEngine({ db, logger });
    await engine.evaluate([rule], NOW);
    await engine.evaluate([rule], NOW + 1000);
    expect(engine.snapshot()).toHaveLength(100);
    expect(engine.seriesOverLimit().get('capped')).toBe(HOSTS - 100);
    expect(warnings.filter((w) => w.includes('max_series'))).toHaveLength(1);
  });

  test('an aborted evaluation stops before the next rule and counts no failure', async () => {
    const rules = ['a', 'b'].map((name) =>
      ruleSchema.parse({
        name,
        type: 'threshold',
        metric: 'system_cpu_usage_percent',
        window: '1m',
        op: '>',
        threshold: 80,
      }),
    );
    const engine = new RuleEngine({ db, logger: createLogger({ level: 'error' }) });
    const stop = new AbortController();
    stop.abort();
    expect(await engine.evaluate(rules, NOW, stop.signal)).toEqual({ evaluated: 0, failed: 0 });
    expect(engine.snapshot()).toEqual([]);
  });
});
