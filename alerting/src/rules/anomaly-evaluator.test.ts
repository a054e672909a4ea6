import { createLogger, type Database } from '@aihub/core';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { createStreamingDetector } from '../anomaly';
import { ruleSchema, type AnomalyRule } from '../config/schema';
import { listIncidents } from '../incidents/store';
import { insertSamples } from '../testing/samples';
import { AnomalyRuleEvaluator } from './anomaly-evaluator';
import { RuleEngine } from './engine';

const logger = createLogger({ level: 'error' });
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 10, 0, 0, 0);
const cpuAnomalyRule = ruleSchema.parse({
  name: 'cpu_anomaly',
  type: 'anomaly',
  metric: 'system_cpu_usage_percent',
  min_history: 100,
  history: '1d',
  resolve_after: '5m',
}) as AnomalyRule;

describe('anomaly rules through the engine (pglite)', () => {
  let storage: TestStorage;
  let db: Database;
  beforeEach(async () => {
    storage = await createTestStorage('pglite');
    db = await storage.openMigrated();
  });
  afterEach(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('a spike after a calm history opens an incident with severity from the series percentiles; the model is persisted and restored', async () => {
    // 300 calm points (seeded noise), then one spike.
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pts: [number, number][] = [];
    for (let i = 0; i < 300; i++) pts.push([T0 + i * MIN, 40 + rand() * 2]);
    await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, pts);
    const rule = cpuAnomalyRule;
    const anomaly = new AnomalyRuleEvaluator({ db, logger });
    const engine = new RuleEngine({ db, logger, anomaly });
    await engine.evaluate([rule], T0 + 300 * MIN);
    expect(engine.snapshot()).toEqual([]);
    expect(anomaly.scores()[0]).toMatchObject({ rule: 'cpu_anomaly', labels: { host: 'gpu-01' } });

    await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[T0 + 300 * MIN, 99]]);
    await engine.evaluate([rule], T0 + 301 * MIN);
    const s = engine.snapshot();
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({
      state: 'firing',
      labels: { alertname: 'cpu_anomaly', host: 'gpu-01', severity: 'critical' },
    });
    const [incident] = await listIncidents(db);
    expect(incident.annotations).toMatchObject({ metric: 'system_cpu_usage_percent', percentile: '100' });
    expect(Number(incident.annotations.anomaly_score)).toBeGreaterThanOrEqual(0.5);

    // Persisted, and a new evaluator continues from the saved model (no re-training from scratch).
    const saved = await db.query<{ rule: string }>('SELECT rule FROM anomaly_models');
    expect(saved).toEqual([{ rule: 'cpu_anomaly' }]);
    const restored = new AnomalyRuleEvaluator({ db, logger });
    const { observations: obs } = await restored.evaluate(rule, T0 + 302 * MIN);
    expect(obs[0]).toMatchObject({ labels: { host: 'gpu-01' }, value: 99, holds: true });

    // Back to calm: resolved after resolve_after without anomalies.
    await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [
      [T0 + 302 * MIN, 40],
      [T0 + 303 * MIN, 41],
    ]);
    await engine.evaluate([rule], T0 + 310 * MIN);
    expect(engine.snapshot()).toEqual([]);
    expect((await listIncidents(db))[0].status).toBe('resolved');
  });

  test('stored points with duplicate timestamps and NaN values are merged and skipped, with one warning giving the counts', async () => {
    const pts: [number, number][] = [];
    for (let i = 0; i < 200; i++) pts.push([T0 + i * MIN, 40 + (i % 7) * 0.3]);
    pts.push([T0 + 50 * MIN, 41], [T0 + 60 * MIN, 41], [T0 + 201 * MIN, NaN]); // stored in arrival order
    await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-02' }, pts);
    const warnings: Array<[string, unknown]> = [];
    const spy = Object.create(logger) as typeof logger;
    spy.warn = (msg: string, fields?: unknown) => void warnings.push([msg, fields]);
    const rule = cpuAnomalyRule;
    const anomaly = new AnomalyRuleEvaluator({ db, logger: spy });
    const engine = new RuleEngine({ db, logger: spy, anomaly });
    await engine.evaluate([rule], T0 + 202 * MIN);
    expect(anomaly.scores()).toHaveLength(1);
    expect(Number.isFinite(anomaly.scores()[0].score)).toBe(true);
    const cleaned = warnings.filter(([msg]) => msg === 'anomaly rule input cleaned');
    expect(cleaned).toHaveLength(1);
    expect(cleaned[0][1]).toMatchObject({ rule: 'cpu_anomaly', duplicates: 2, nonFinite: 1 });
  });
});

describe('anomaly rules over many series (pglite)', () => {
  let storage: TestStorage;
  let db: Database;
  const points = (host: number): [number, number][] => {
    let seed = 11 + host;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    return Array.from({ length: 150 }, (_, i) => [
      T0 + i * MIN,
      40 + host + rand() * 3 + (i === 140 ? 50 : 0),
    ]);
  };
  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    db = await storage.openMigrated();
    for (let h = 0; h < 7; h++)
      await insertSamples(db, 'system_cpu_usage_percent', { host: `h${h}` }, points(h));
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });
  const rule = (extra: Record<string, unknown> = {}) =>
    ruleSchema.parse({
      name: 'cpu_anomaly',
      type: 'anomaly',
      metric: 'system_cpu_usage_percent',
      min_history: 100,
      history: '1d',
      ...extra,
    }) as AnomalyRule;

  test('scores from batched reads equal a detector fed each series directly; max_series bounds the models', async () => {
    const r = rule({ max_series: 5 });
    const anomaly = new AnomalyRuleEvaluator({ db, logger, seriesPerRead: 2 });
    const { observations, beyondCap } = await anomaly.evaluate(r, T0 + 150 * MIN);
    expect(beyondCap).toBe(2);
    expect(observations.map((o) => o.labels.host)).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
    expect(anomaly.scores()).toHaveLength(5);
    for (const o of observations) {
      const direct = createStreamingDetector({
        minHistory: r.min_history,
        novelty: { learnPoints: r.min_history },
        threshold: r.score_threshold,
        suppressionMs: r.suppress_for,
        retrainEvery: 0,
        forest: { seed: r.seed },
      });
      let last = 0;
      for (const [t, v] of points(Number(o.labels.host.slice(1))))
        last = direct.update({ timestamp: t, value: v }).score;
      expect(o.score).toBe(last);
    }
    // The spike at point 140 alerts wherever the detector is not resting after an earlier
    // novelty of its noisy series.
    expect(observations.filter((o) => o.holds).length).toBeGreaterThanOrEqual(3);
  });

  test('a tight time budget spreads the series over evaluations, each reached in turn', async () => {
    const anomaly = new AnomalyRuleEvaluator({ db, logger, seriesPerRead: 2, workPerEvaluationMs: 0 });
    const r = rule({ name: 'cpu_anomaly_budget' });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) seen.push((await anomaly.evaluate(r, T0 + 150 * MIN)).observations.length);
    // 2 series per evaluation until all 7 have models with data.
    expect(seen).toEqual([2, 4, 6, 7]);
  });
});
