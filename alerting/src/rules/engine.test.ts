import { createLogger, type Database } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { ruleSchema, type Rule, type RuleInput } from '../config/schema';
import { listIncidents } from '../incidents/store';
import { insertLlmRequests, insertSamples } from '../testing/samples';
import { RuleEngine } from './engine';

const logger = createLogger({ level: 'error' });
const rule = (r: RuleInput): Rule => ruleSchema.parse(r);
const T0 = Date.UTC(2026, 0, 17, 15, 0, 0);
const MIN = 60_000;

describe.each(TEST_DRIVERS)('rule engine on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  beforeEach(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
  });
  afterEach(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('every matched series is its own instance: pending, firing after `for`, resolved when it recovers', async () => {
    // gpu-01 runs hot from T0; gpu-02 stays cool.
    const hot: [number, number][] = [];
    const cool: [number, number][] = [];
    for (let t = T0 - 5 * MIN; t <= T0 + 10 * MIN; t += 15_000) {
      hot.push([t, t >= T0 && t < T0 + 6 * MIN ? 97 : 40]);
      cool.push([t, 30]);
    }
    await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, hot);
    await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-02' }, cool);
    const cpu = rule({
      name: 'critical_cpu_usage',
      type: 'threshold',
      metric: 'system_cpu_usage_percent',
      aggregation: 'avg',
      window: '1m',
      op: '>',
      threshold: 95,
      for: '2m',
      severity: 'critical',
      labels: { team: 'infra' },
      annotations: { summary: 'CPU at {{ $value }}% on {{ $labels.host }}' },
    });
    const engine = new RuleEngine({ db, logger });
    const states = async (at: number) => {
      await engine.evaluate([cpu], at);
      return engine.snapshot().map((s) => `${s.labels.host}:${s.state}`);
    };
    expect(await states(T0 - MIN)).toEqual([]);
    expect(await states(T0 + MIN)).toEqual(['gpu-01:pending']);
    expect(await states(T0 + 2 * MIN)).toEqual(['gpu-01:pending']);
    expect(await states(T0 + 3 * MIN + 1000)).toEqual(['gpu-01:firing']);
    let incidents = await listIncidents(db);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      rule: 'critical_cpu_usage',
      severity: 'critical',
      status: 'active',
      triggerValue: 97,
      labels: { alertname: 'critical_cpu_usage', host: 'gpu-01', severity: 'critical', team: 'infra' },
      annotations: { summary: 'CPU at 97% on gpu-01', metric: 'system_cpu_usage_percent' },
    });
    expect(await states(T0 + 8 * MIN)).toEqual([]);
    incidents = await listIncidents(db);
    expect(incidents[0]).toMatchObject({ status: 'resolved', lastValue: 40 });
    expect(incidents[0].resolvedAt).toBe(T0 + 8 * MIN);
  });

  test('state survives a restart: a new engine continues the pending timer', async () => {
    const pts: [number, number][] = [];
    for (let t = T0; t <= T0 + 5 * MIN; t += 15_000) pts.push([t, 99]);
    await insertSamples(db, 'queue_depth', { queue: 'llm' }, pts);
    const r = rule({
      name: 'deep_queue',
      type: 'threshold',
      metric: 'queue_depth',
      aggregation: 'last',
      op: '>',
      threshold: 50,
      for: '2m',
    });
    const first = new RuleEngine({ db, logger });
    await first.evaluate([r], T0 + 30_000);
    expect(first.snapshot()[0].state).toBe('pending');
    const second = new RuleEngine({ db, logger });
    await second.evaluate([r], T0 + 2 * MIN + 30_000);
    expect(second.snapshot()[0].state).toBe('firing');
    expect(await listIncidents(db, { status: ['active'] })).toHaveLength(1);
  });

  test('no_data keep (default) holds the firing state when the series goes silent; no_data ok resolves it', async () => {
    await insertSamples(db, 'gpu_temp', { gpu: '0' }, [[T0, 95]]);
    const keep = rule({
      name: 'hot_keep',
      type: 'threshold',
      metric: 'gpu_temp',
      aggregation: 'last',
      window: '1m',
      op: '>',
      threshold: 90,
    });
    const ok = rule({
      name: 'hot_ok',
      type: 'threshold',
      metric: 'gpu_temp',
      aggregation: 'last',
      window: '1m',
      op: '>',
      threshold: 90,
      no_data: 'ok',
    });
    const engine = new RuleEngine({ db, logger });
    await engine.evaluate([keep, ok], T0 + 1000);
    expect(
      engine
        .snapshot()
        .map((s) => `${s.rule}:${s.state}`)
        .sort(),
    ).toEqual(['hot_keep:firing', 'hot_ok:firing']);
    await engine.evaluate([keep, ok], T0 + 5 * MIN);
    expect(engine.snapshot().map((s) => `${s.rule}:${s.state}:${s.stale}`)).toEqual(['hot_keep:firing:true']);
  });

  test('LLM derived signals: error rate per provider/model', async () => {
    const rows = [];
    for (let i = 0; i < 40; i++) {
      rows.push({
        time: T0 - 2 * MIN + i * 1000,
        provider: 'openai',
        model: 'gpt-4o',
        status: (i % 4 === 0 ? 'error' : 'ok') as 'ok' | 'error',
      });
      rows.push({
        time: T0 - 2 * MIN + i * 1000,
        provider: 'anthropic',
        model: 'claude',
        status: 'ok' as const,
      });
    }
    await insertLlmRequests(db, rows);
    const r = rule({
      name: 'llm_high_error_rate',
      type: 'threshold',
      metric: 'llm_error_rate',
      window: '5m',
      op: '>',
      threshold: 5,
    });
    const engine = new RuleEngine({ db, logger });
    await engine.evaluate([r], T0);
    const s = engine.snapshot();
    expect(s).toHaveLength(1);
    expect(s[0].labels).toMatchObject({ provider: 'openai', model: 'gpt-4o' });
    expect(s[0].value).toBeCloseTo(25);
  });

  test('ratio rules: val/train loss over the last 3 epochs, and latency against the previous day', async () => {
    const run = { run_id: 'resnet50' };
    const epochs = [0.9, 0.7, 0.5, 0.4, 0.3];
    const val = [1.0, 0.9, 0.8, 0.75, 0.7]; // ratio 1.11, 1.29, 1.6, 1.875, 2.33 → the last three are > 1.5
    await insertSamples(
      db,
      'training_train_loss',
      run,
      epochs.map((v, i) => [T0 + i * MIN, v]),
    );
    await insertSamples(
      db,
      'training_val_loss',
      run,
      val.map((v, i) => [T0 + i * MIN, v]),
    );
    const overfit = rule({
      name: 'training_overfitting',
      type: 'threshold',
      metric: 'training_val_loss',
      divide_by: { metric: 'training_train_loss', pointwise: true },
      aggregation: 'min',
      last_points: 3,
      window: '1d',
      op: '>',
      threshold: 1.5,
    });
    const engine = new RuleEngine({ db, logger });
    await engine.evaluate([overfit], T0 + 4 * MIN + 1);
    expect(engine.snapshot()).toHaveLength(1);
    expect(engine.snapshot()[0].value).toBeCloseTo(0.8 / 0.5);

    const day = 86_400_000;
    const lat = [];
    for (let i = 0; i < 20; i++) {
      lat.push({
        time: T0 - day - 10 * MIN + i * 20_000,
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 1000,
      });
      lat.push({ time: T0 - 10 * MIN + i * 20_000, provider: 'openai', model: 'gpt-4o', latency_ms: 2500 });
    }
    await insertLlmRequests(db, lat);
    const regression = rule({
      name: 'llm_latency_regression',
      type: 'threshold',
      metric: 'llm_latency_ms_p95',
      window: '15m',
      divide_by: { offset: '24h' },
      op: '>',
      threshold: 1.5,
    });
    await engine.evaluate([regression], T0);
    const s = engine.snapshot().find((x) => x.rule === 'llm_latency_regression');
    expect(s?.value).toBeCloseTo(2.5);
  });

  test('a failing rule does not stop the others', async () => {
    await insertSamples(db, 'm_ok', {}, [[T0, 5]]);
    const engine = new RuleEngine({ db, logger });
    // An aggregation the database does not know makes its query fail.
    const broken = {
      ...rule({ name: 'broken', type: 'threshold', metric: 'm_ok', op: '>', threshold: 1 }),
      aggregation: 'median',
    };
    const good = rule({
      name: 'good',
      type: 'threshold',
      metric: 'm_ok',
      aggregation: 'last',
      op: '>',
      threshold: 1,
    });
    const res = await engine.evaluate([broken as unknown as Rule, good], T0 + 1000);
    expect(res).toEqual({ evaluated: 1, failed: 1 });
    expect(engine.snapshot().map((s) => s.rule)).toEqual(['good']);
  });
});
