import { createTestStorage, TEST_DRIVERS, type TestStorage } from '../testing/databases';
import type { Database } from './database';
import { migrate, migrationsComplete } from './migrate';
import { BatchWriter, TRAINING_CHANNEL } from './writer';
import { listSeries, queryRange } from './queries';
import { deleteExpired, timescaleSetupSql } from './retention';
import type { RowBatch } from '../model/rows';

const T0 = Date.UTC(2026, 0, 17, 15, 0, 0);
const batchOf = (samples: RowBatch['samples'], extra: Partial<RowBatch> = {}): RowBatch => ({
  samples,
  llm: [],
  training: [],
  ...extra,
});

describe.each(TEST_DRIVERS)('storage on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;

  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('migrations apply once and report complete', async () => {
    expect(await migrate(db)).toEqual([]);
    expect(await migrationsComplete(db)).toBe(true);
  });

  test('samples written by the batch writer read back per series, raw and aggregated', async () => {
    const writer = new BatchWriter(db);
    const rows = [];
    for (let i = 0; i < 10; i++) {
      rows.push({ name: 'queue_depth', labels: { queue: 'llm' }, timeMs: T0 + i * 1000, value: i });
      rows.push({ name: 'queue_depth', labels: { queue: 'cv' }, timeMs: T0 + i * 1000, value: 100 + i });
    }
    const res = await writer.write({ batch: batchOf(rows), accepted: rows.length });
    expect(res).toEqual({ accepted: 20, duplicate: false });
    await writer.close();

    const series = await listSeries(db, 'queue_depth');
    expect(series.map((s) => s.labels).sort((a, b) => a.queue.localeCompare(b.queue))).toEqual([
      { queue: 'cv' },
      { queue: 'llm' },
    ]);
    const raw = await queryRange(db, {
      name: 'queue_depth',
      matchers: { queue: 'llm' },
      fromMs: T0,
      toMs: T0 + 60_000,
    });
    expect(raw.series).toHaveLength(1);
    expect(raw.series[0].points).toEqual(Array.from({ length: 10 }, (_, i) => [T0 + i * 1000, i]));

    const agg = await queryRange(db, {
      name: 'queue_depth',
      fromMs: T0,
      toMs: T0 + 60_000,
      stepMs: 5000,
      agg: 'max',
    });
    const cv = agg.series.find((s) => s.labels.queue === 'cv')!;
    expect(cv.points).toEqual([
      [T0, 104],
      [T0 + 5000, 109],
    ]);
    const p95 = await queryRange(db, {
      name: 'queue_depth',
      matchers: { queue: 'llm' },
      fromMs: T0,
      toMs: T0 + 60_000,
      stepMs: 60_000,
      agg: 'p95',
    });
    expect(p95.series[0].points[0][1]).toBeCloseTo(8.55, 5);
    const rate = await queryRange(db, {
      name: 'queue_depth',
      matchers: { queue: 'llm' },
      fromMs: T0,
      toMs: T0 + 60_000,
      stepMs: 60_000,
      agg: 'rate',
    });
    expect(rate.series[0].points[0][1]).toBeCloseTo(1, 5);
  });

  test('by aggregates across series that share the given labels, like PromQL', async () => {
    const writer = new BatchWriter(db);
    const rows = [];
    for (const user of ['u1', 'u2', 'u3']) {
      for (const endpoint of ['/chat', '/embed']) {
        const base = endpoint === '/chat' ? 100 : 10;
        for (let i = 0; i < 4; i++) {
          rows.push({
            name: 'latency_by',
            labels: { endpoint, user_id: user },
            timeMs: T0 + i * 1000,
            value: base + i,
          });
        }
      }
    }
    await writer.write({ batch: batchOf(rows), accepted: rows.length });
    await writer.close();
    const res = await queryRange(db, {
      name: 'latency_by',
      fromMs: T0,
      toMs: T0 + 60_000,
      stepMs: 60_000,
      agg: 'max',
      by: ['endpoint'],
    });
    expect(
      res.series
        .map((s) => [s.labels, s.points])
        .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([
      [{ endpoint: '/chat' }, [[T0, 103]]],
      [{ endpoint: '/embed' }, [[T0, 13]]],
    ]);
    const all = await queryRange(db, {
      name: 'latency_by',
      fromMs: T0,
      toMs: T0 + 60_000,
      stepMs: 60_000,
      agg: 'count',
      by: [],
    });
    expect(all.series).toEqual([{ name: 'latency_by', labels: {}, points: [[T0, 24]] }]);
    const raw = await queryRange(db, {
      name: 'latency_by',
      matchers: { endpoint: '/embed' },
      fromMs: T0,
      toMs: T0 + 60_000,
      by: ['endpoint'],
    });
    expect(raw.series).toHaveLength(1);
    expect(raw.series[0].points).toHaveLength(12);
    expect(raw.series[0].points.map((p) => p[0])).toEqual(
      [...raw.series[0].points.map((p) => p[0])].sort((a, b) => a - b),
    );
    await expect(
      queryRange(db, { name: 'latency_by', fromMs: T0, toMs: T0 + 1, stepMs: 1000, agg: 'rate', by: [] }),
    ).rejects.toThrow(/rate/);
    await expect(
      queryRange(db, { name: 'llm_requests', fromMs: T0, toMs: T0 + 1, by: ['user_id'] }),
    ).rejects.toThrow(/provider and model/);
  });

  test('label order does not create a second series', async () => {
    const writer = new BatchWriter(db);
    await writer.write({
      batch: batchOf([{ name: 'order_test', labels: { a: '1', b: '2' }, timeMs: T0, value: 1 }]),
      accepted: 1,
    });
    await writer.write({
      batch: batchOf([{ name: 'order_test', labels: { b: '2', a: '1' }, timeMs: T0 + 1, value: 2 }]),
      accepted: 1,
    });
    await writer.close();
    expect(await listSeries(db, 'order_test')).toHaveLength(1);
  });

  test('an Idempotency-Key stores a batch once and answers the retry like the first time', async () => {
    const writer = new BatchWriter(db);
    const batch = batchOf([{ name: 'idem_test', labels: {}, timeMs: T0, value: 1 }]);
    const first = await writer.write({ batch, accepted: 1, idempotencyKey: 'k-1' });
    const [again, concurrent] = await Promise.all([
      writer.write({ batch, accepted: 1, idempotencyKey: 'k-1' }),
      writer.write({ batch, accepted: 1, idempotencyKey: 'k-1' }),
    ]);
    await writer.close();
    expect(first).toEqual({ accepted: 1, duplicate: false });
    expect(again).toEqual({ accepted: 1, duplicate: true });
    expect(concurrent).toEqual({ accepted: 1, duplicate: true });
    const r = await queryRange(db, { name: 'idem_test', fromMs: T0 - 1, toMs: T0 + 1 });
    expect(r.series[0].points).toHaveLength(1);
  });

  test('LLM requests become derived signals per provider and model', async () => {
    const writer = new BatchWriter(db);
    const llm = Array.from({ length: 20 }, (_, i) => ({
      timeMs: T0 + i * 1000,
      provider: 'openai',
      model: 'gpt-4o',
      operation: 'chat',
      inputTokens: 100,
      outputTokens: 50,
      cachedTokens: 0,
      latencyMs: 100 * (i + 1),
      ttftMs: 10,
      status: (i % 4 === 0 ? 'error' : 'ok') as 'ok' | 'error',
      errorType: i % 4 === 0 ? 'rate_limit' : null,
      cacheHit: i % 2 === 0,
      costUsd: 0.01,
      priced: true,
      userId: 'u1',
      sessionId: null,
      organizationId: null,
      tags: {},
    }));
    await writer.write({ batch: batchOf([], { llm }), accepted: 20 });
    await writer.close();
    const q = (name: string) => queryRange(db, { name, fromMs: T0, toMs: T0 + 60_000, stepMs: 60_000 });
    expect((await q('llm_requests')).series[0]).toEqual({
      name: 'llm_requests',
      labels: { provider: 'openai', model: 'gpt-4o' },
      points: [[T0, 20]],
    });
    expect((await q('llm_error_rate')).series[0].points[0][1]).toBeCloseTo(25);
    expect((await q('llm_cache_hit_rate')).series[0].points[0][1]).toBeCloseTo(50);
    expect((await q('llm_tokens')).series[0].points[0][1]).toBe(3000);
    expect((await q('llm_cost_usd')).series[0].points[0][1]).toBeCloseTo(0.2);
    expect((await q('llm_latency_ms_p95')).series[0].points[0][1]).toBeCloseTo(1905);
    const byProvider = await queryRange(db, {
      name: 'llm_requests',
      fromMs: T0,
      toMs: T0 + 60_000,
      stepMs: 60_000,
      by: ['provider'],
    });
    expect(byProvider.series).toEqual([
      { name: 'llm_requests', labels: { provider: 'openai' }, points: [[T0, 20]] },
    ]);
    expect(await listSeries(db, 'llm_error_rate')).toEqual([
      { name: 'llm_error_rate', labels: { provider: 'openai', model: 'gpt-4o' } },
    ]);
  });

  test('training items update the run registry and notify stream listeners on commit', async () => {
    const heard: string[] = [];
    const stop = await db.listen(TRAINING_CHANNEL, (p) => heard.push(p));
    const writer = new BatchWriter(db);
    const training = [1, 2, 3].map((epoch) => ({
      runId: 'resnet',
      timeMs: T0 + epoch * 1000,
      epoch,
      step: epoch * 100,
      status: null,
      metrics: { train_loss: 1 / epoch },
      modelInfo: { name: 'ResNet50', parameters: 25557032 },
    }));
    await writer.write({ batch: batchOf([], { training }), accepted: 3 });
    await writer.write({
      batch: batchOf([], {
        training: [{ ...training[0], timeMs: T0 + 10_000, epoch: 4, status: 'finished' as const }],
      }),
      accepted: 1,
    });
    await writer.close();
    const runs = await db.query<Record<string, unknown>>('SELECT * FROM training_runs');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      run_id: 'resnet',
      model_name: 'ResNet50',
      last_epoch: 4,
      status: 'finished',
    });
    expect(Number(runs[0].parameters)).toBe(25557032);
    for (let i = 0; i < 50 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    await stop();
    expect(JSON.parse(heard[0])).toMatchObject({ runs: ['resnet'] });
    expect(heard).toHaveLength(2);
  });

  test('the retention job deletes only expired rows', async () => {
    const writer = new BatchWriter(db);
    const now = Date.UTC(2026, 5, 1);
    await writer.write({
      batch: batchOf([
        { name: 'ret_test', labels: {}, timeMs: now - 40 * 86_400_000, value: 1 },
        { name: 'ret_test', labels: {}, timeMs: now - 1000, value: 2 },
      ]),
      accepted: 2,
    });
    await writer.close();
    await deleteExpired(db, 30, new Date(now));
    const r = await queryRange(db, { name: 'ret_test', fromMs: 0, toMs: now });
    expect(r.series[0].points).toEqual([[now - 1000, 2]]);
  });
});

test('TimescaleDB setup makes hypertables with compression and retention policies', () => {
  const sql = timescaleSetupSql({ retentionDays: 30, compressAfterDays: 7 }).join(';\n');
  expect(sql).toContain("create_hypertable('metric_samples', 'time'");
  expect(sql).toContain("add_compression_policy('metric_samples', INTERVAL '7 days'");
  expect(sql).toContain("add_retention_policy('llm_requests', INTERVAL '30 days'");
});
