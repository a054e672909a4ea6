import { createTestStorage, TEST_DRIVERS, type TestStorage } from '../../testing/databases';
import { recordingQueryable as recording } from '../../testing/recording-queryable';
import type { Database } from '../database';
import { BatchWriter } from '../writer';
import { queryRange, LLM_SIGNALS, type Aggregation, type RangeQuery, type RangeResult } from '../queries';
import { llmSummary } from '../readers/llm-summary';
import { refreshRollups } from './timescale-rollups';
import { EXACT_P95_MAX_REQUESTS } from './llm-rollups';
import { planRollupRead } from './plan';
import type { LlmRow, RowBatch } from '../../model/rows';

const HOUR = 3_600_000;
// Three hours of data starting off any minute boundary; reads start and end mid-minute too.
const T0 = Date.UTC(2026, 2, 3, 9, 0, 0) + 7_300;
const FROM = T0 + 13_000;
const TO = T0 + 3 * HOUR - 17_000;

const batch = (samples: RowBatch['samples'], llm: LlmRow[] = []): RowBatch => ({
  samples,
  llm,
  training: [],
});

function llmRow(timeMs: number, i: number, over: Partial<LlmRow> = {}): LlmRow {
  return {
    timeMs,
    provider: i % 3 === 0 ? 'anthropic' : 'openai',
    model: i % 3 === 0 ? 'claude' : i % 2 ? 'gpt-4o' : 'gpt-4o-mini',
    operation: 'chat',
    inputTokens: 100 + (i % 7),
    outputTokens: 20 + (i % 5),
    cachedTokens: 0,
    latencyMs: i % 11 === 0 ? null : 150 + ((i * 37) % 900),
    ttftMs: i % 4 === 0 ? null : 40 + ((i * 13) % 200),
    status: i % 9 === 0 ? 'error' : 'ok',
    errorType: null,
    cacheHit: i % 5 === 0,
    costUsd: i % 13 === 0 ? null : 0.001 * (1 + (i % 4)),
    priced: i % 13 !== 0,
    userId: null,
    sessionId: null,
    organizationId: null,
    tags: {},
    ...over,
  };
}

function expectSameResult(rolled: RangeResult, raw: RangeResult, relative = 1e-9) {
  expect(rolled.series.map((s) => s.labels)).toEqual(raw.series.map((s) => s.labels));
  rolled.series.forEach((s, i) => {
    expect(s.points.map((p) => p[0])).toEqual(raw.series[i].points.map((p) => p[0]));
    s.points.forEach(([, v], j) => {
      const want = raw.series[i].points[j][1];
      expect(Math.abs(v - want)).toBeLessThanOrEqual(Math.abs(want) * relative + 1e-9);
    });
  });
}

test('a read plan takes whole hours, then whole minutes, then raw rows at the edges', () => {
  const at = (h: number, m: number) => Date.UTC(2026, 2, 3, h, m);
  const plan = planRollupRead(FROM, TO, HOUR, [HOUR, 60_000])!;
  expect(plan.rollups).toEqual([
    { widthMs: 60_000, fromMs: at(9, 1), toMs: at(10, 0) },
    { widthMs: HOUR, fromMs: at(10, 0), toMs: at(11, 0) },
    { widthMs: 60_000, fromMs: at(11, 0), toMs: at(11, 59) },
  ]);
  expect(plan.raw).toEqual([
    { fromMs: FROM, toMs: at(9, 1), inclusiveEnd: false },
    { fromMs: at(11, 59), toMs: TO, inclusiveEnd: true },
  ]);
  // An hour bucket would straddle 5-minute steps: 5-minute buckets, minutes at the fringes.
  expect(planRollupRead(FROM, TO, 300_000, [HOUR, 300_000, 60_000])!.rollups).toEqual([
    { widthMs: 60_000, fromMs: at(9, 1), toMs: at(9, 5) },
    { widthMs: 300_000, fromMs: at(9, 5), toMs: at(11, 55) },
    { widthMs: 60_000, fromMs: at(11, 55), toMs: at(11, 59) },
  ]);
  // A 90 s step splits minute buckets; a 10-minute range reads raw rows.
  expect(planRollupRead(FROM, TO, 90_000, [HOUR, 60_000])).toBeNull();
  expect(planRollupRead(FROM, FROM + 600_000, 60_000, [60_000])).toBeNull();
});

describe.each(TEST_DRIVERS)('rollups on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;

  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
    const samples: RowBatch['samples'] = [];
    const llm: LlmRow[] = [];
    for (let i = 0; i < (3 * HOUR) / 20_000; i++) {
      const t = T0 + i * 20_000 + (i % 3) * 1_111;
      // Hosts a and b share a dc: distinct times keep `last` across them well defined.
      ['a', 'b', 'c'].forEach((host, h) =>
        samples.push({
          name: 'roll_cpu',
          labels: { host, dc: host === 'c' ? 'x' : 'y' },
          timeMs: t + h * 17,
          value: (i * 7 + host.charCodeAt(0)) % 97,
        }),
      );
      llm.push(llmRow(t, i), llmRow(t + 5_000, i + 1));
    }
    const writer = new BatchWriter(db);
    await writer.write({ batch: batch(samples, llm), accepted: samples.length + llm.length });
    await writer.close();
    await refreshRollups(db); // TimescaleDB: materialise, so the late rows below land in a rolled-up bucket
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  const seriesQueries = (): RangeQuery[] => {
    const out: RangeQuery[] = [];
    for (const agg of ['avg', 'min', 'max', 'sum', 'count', 'last'] as Aggregation[])
      for (const stepMs of [300_000, HOUR, 1e13])
        for (const by of [undefined, ['dc'], []])
          out.push({ name: 'roll_cpu', fromMs: FROM, toMs: TO, stepMs, agg, by });
    return out;
  };

  async function compareSeries() {
    for (const q of seriesQueries()) {
      const rec = recording(db);
      const rolled = await queryRange(rec.db, q);
      expect(rec.sql.join('\n')).toMatch(q.stepMs === 300_000 ? /metric_rollup_5m/ : /metric_rollup_1h/);
      expectSameResult(rolled, await queryRange(db, { ...q, rollups: false }));
    }
  }

  // p95s: the histograms (exactP95MaxRequests 0), within their bucket width, or, for a window
  // of few requests (this one holds about a thousand), exact from raw rows without them.
  const P95_PATHS = [
    { exactP95MaxRequests: 0, histograms: true, tolerance: 0.025 },
    { exactP95MaxRequests: undefined, histograms: false, tolerance: 1e-9 },
  ];
  const HISTOGRAM_TABLES = /llm_(latency|ttft)_hist_1m/;

  async function compareLlm() {
    let rolled: Awaited<ReturnType<typeof llmSummary>> | undefined;
    for (const { exactP95MaxRequests, histograms, tolerance } of P95_PATHS) {
      for (const name of Object.keys(LLM_SIGNALS))
        for (const stepMs of [300_000, HOUR])
          for (const by of [undefined, ['provider'], []]) {
            const q: RangeQuery = { name, fromMs: FROM, toMs: TO, stepMs, by, exactP95MaxRequests };
            const rec = recording(db);
            const got = await queryRange(rec.db, q);
            const sql = rec.sql.join('\n');
            expect(sql).toMatch(/llm_rollup_1m/);
            const p95 = name.endsWith('_p95');
            if (p95 && !histograms) expect(sql).not.toMatch(HISTOGRAM_TABLES);
            if (p95 && histograms) expect(sql).toMatch(HISTOGRAM_TABLES);
            const raw = await queryRange(db, { ...q, rollups: false });
            expect(raw.series.length).toBeGreaterThan(0);
            // Everything but histogram p95s is exact.
            expectSameResult(got, raw, p95 ? tolerance : 1e-9);
          }
      const rec = recording(db);
      const summary = await llmSummary(rec.db, { fromMs: FROM, toMs: TO, exactP95MaxRequests });
      const sql = rec.sql.join('\n');
      expect(sql).toMatch(/llm_rollup_1m/);
      expect(sql).not.toMatch(/count\(\*\)/); // the additive totals never come from raw rows
      if (histograms) expect(sql).toMatch(HISTOGRAM_TABLES);
      else expect(sql).not.toMatch(HISTOGRAM_TABLES);
      const raw = await llmSummary(db, { fromMs: FROM, toMs: TO, rollups: false });
      expect(summary.totals.requests).toBe(raw.totals.requests);
      expect(summary.totals.errors).toBe(raw.totals.errors);
      expect(summary.totals.cost_usd).toBeCloseTo(raw.totals.cost_usd, 9);
      expect(summary.models.map((m) => [m.provider, m.model])).toEqual(
        raw.models.map((m) => [m.provider, m.model]),
      );
      summary.models.forEach((m, i) => {
        const r = raw.models[i];
        expect({ ...m, cost_usd: 0, latency_ms_p95: 0, ttft_ms_p95: 0 }).toEqual({
          ...r,
          cost_usd: 0,
          latency_ms_p95: 0,
          ttft_ms_p95: 0,
        });
        for (const k of ['latency_ms_p95', 'ttft_ms_p95'] as const) {
          expect(r[k]).not.toBeNull();
          expect(Math.abs(m[k]! - r[k]!)).toBeLessThanOrEqual(r[k]! * tolerance);
        }
      });
      rolled = summary;
    }
    return rolled!;
  }

  test('bucketed series reads from the rollups answer what the raw path answers', async () => {
    await compareSeries();
  });

  test('a page of series ids and a point budget read from the rollups as from raw rows', async () => {
    const all = await queryRange(db, {
      name: 'roll_cpu',
      fromMs: FROM,
      toMs: TO,
      stepMs: 300_000,
      agg: 'avg',
    });
    expect(all.series).toHaveLength(3);
    // Rule evaluation reads a selection in pages of ids: a page holds only its own series.
    const ids = await db.query<{ id: string | number }>(
      "SELECT id FROM metric_series WHERE name = 'roll_cpu' ORDER BY id",
    );
    for (const by of [undefined, []]) {
      const page: RangeQuery = {
        name: 'roll_cpu',
        fromMs: FROM,
        toMs: TO,
        stepMs: 300_000,
        agg: 'max',
        by,
        seriesIds: ids.slice(1).map((r) => Number(r.id)),
      };
      const rec = recording(db);
      const rolled = await queryRange(rec.db, page);
      expect(rec.sql.join('\n')).toMatch(/metric_rollup_5m/);
      expect(rolled.series).toHaveLength(by ? 1 : 2);
      expectSameResult(rolled, await queryRange(db, { ...page, rollups: false }));
    }
    // A point budget cuts the answer where the raw path cuts it, and says so.
    const budget: RangeQuery = { name: 'roll_cpu', fromMs: FROM, toMs: TO, stepMs: 300_000, maxPoints: 50 };
    const rolled = await queryRange(db, budget);
    const raw = await queryRange(db, { ...budget, rollups: false });
    expect(rolled.truncated).toBe(true);
    expect(raw.truncated).toBe(true);
    expect(rolled.series.reduce((n, s) => n + s.points.length, 0)).toBe(50);
    expectSameResult(rolled, raw);
  });

  test('LLM signals and the summary from the rollups answer what the raw path answers', async () => {
    await compareLlm();
  });

  test('the request count of the window picks exact p95s or the histograms', async () => {
    const [{ n }] = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM llm_requests WHERE time >= to_timestamp($1 / 1000.0) AND time <= to_timestamp($2 / 1000.0)',
      [FROM, TO],
    );
    expect(Number(n)).toBeLessThan(EXACT_P95_MAX_REQUESTS);
    const reads = async (exactP95MaxRequests: number) => {
      const rec = recording(db);
      await queryRange(rec.db, {
        name: 'llm_latency_ms_p95',
        fromMs: FROM,
        toMs: TO,
        stepMs: HOUR,
        exactP95MaxRequests,
      });
      await llmSummary(rec.db, { fromMs: FROM, toMs: TO, exactP95MaxRequests });
      return HISTOGRAM_TABLES.test(rec.sql.join('\n'));
    };
    // The count is an estimate from the minute rollup (the fringes left out), a little under n.
    expect(await reads(Number(n) + 1)).toBe(false);
    expect(await reads(Math.floor(Number(n) / 2))).toBe(true);
  });

  test('late data into an already rolled-up bucket is in the rollups after the refresh', async () => {
    const before = await llmSummary(db, { fromMs: FROM, toMs: TO });
    const lateAt = T0 + HOUR + 30 * 60_000 + 123; // the middle hour, long since rolled up
    const writer = new BatchWriter(db);
    await writer.write({
      batch: batch(
        [
          { name: 'roll_cpu', labels: { host: 'a', dc: 'y' }, timeMs: lateAt, value: 1000 },
          { name: 'roll_cpu', labels: { host: 'b', dc: 'y' }, timeMs: lateAt + 1, value: -1000 },
        ],
        [llmRow(lateAt, 1, { latencyMs: 60_000, status: 'error', costUsd: 5 })],
      ),
      accepted: 3,
    });
    await writer.close();
    await refreshRollups(db); // what the TimescaleDB policy runs every minute; a no-op elsewhere
    const max = await queryRange(db, { name: 'roll_cpu', fromMs: FROM, toMs: TO, stepMs: HOUR, agg: 'max' });
    expect(max.series.find((s) => s.labels.host === 'a')!.points[1][1]).toBe(1000);
    await compareSeries();
    const after = await compareLlm();
    expect(after.totals.requests).toBe(before.totals.requests + 1);
    expect(after.totals.cost_usd).toBeCloseTo(before.totals.cost_usd + 5, 9);
  });
});
