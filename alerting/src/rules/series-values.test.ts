import { BatchWriter, type Database } from '@aihub/core';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { thresholdRuleSchema } from '../config/schema';
import { thresholdRuleValues } from './series-values';

describe('threshold rule values with by', () => {
  let storage: TestStorage;
  let db: Database;
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    db = await storage.openMigrated();
    const writer = new BatchWriter(db);
    const samples = [];
    // Three users on /chat, two of them slow; /embed fast for everyone.
    for (const [user, chatMs] of [
      ['u1', 6000],
      ['u2', 5500],
      ['u3', 300],
    ] as const) {
      for (let i = 0; i < 10; i++) {
        const timeMs = now - 50_000 + i * 5000;
        samples.push({
          name: 'business_api_usage',
          labels: { unit: 'ms', endpoint: '/chat', user_id: user },
          timeMs,
          value: chatMs,
        });
        samples.push({
          name: 'business_api_usage',
          labels: { unit: 'ms', endpoint: '/embed', user_id: user },
          timeMs,
          value: 50,
        });
      }
    }
    await writer.write({ batch: { samples, llm: [], training: [] }, accepted: samples.length });
    await writer.close();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  const rule = (extra: Record<string, unknown>) =>
    thresholdRuleSchema.parse({
      name: 'high_response_time',
      type: 'threshold',
      metric: 'business_api_usage',
      matchers: { unit: 'ms' },
      aggregation: 'p95',
      window: '1m',
      op: '>',
      threshold: 2000,
      ...extra,
    });

  test('without by every user and endpoint is its own instance', async () => {
    const values = (await thresholdRuleValues(db, rule({}), now)).values;
    expect(values).toHaveLength(6);
  });

  test('by: [endpoint] gives one value per endpoint over all users', async () => {
    const values = (await thresholdRuleValues(db, rule({ by: ['endpoint'] }), now)).values;
    const byEndpoint = Object.fromEntries(values.map((v) => [v.labels.endpoint, v.value]));
    expect(values.map((v) => v.labels).sort((a, b) => a.endpoint.localeCompare(b.endpoint))).toEqual([
      { endpoint: '/chat' },
      { endpoint: '/embed' },
    ]);
    expect(byEndpoint['/chat']).toBe(6000);
    expect(byEndpoint['/embed']).toBe(50);
  });

  test('a bad label name in by is a configuration error naming the field', () => {
    const parsed = thresholdRuleSchema.safeParse({ ...rule({}), by: ['bad-label'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path).toEqual(['by', 0]);
  });
});

describe('ratio rules against a baseline window need enough history', () => {
  let storage: TestStorage;
  let db: Database;
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const llmRow = (timeMs: number, model: string, costUsd: number) => ({
    timeMs,
    provider: 'openai',
    model,
    operation: 'chat',
    inputTokens: 100,
    outputTokens: 10,
    cachedTokens: 0,
    latencyMs: 100,
    ttftMs: null,
    status: 'ok' as const,
    errorType: null,
    cacheHit: false,
    costUsd,
    priced: true,
    userId: null,
    sessionId: null,
    organizationId: null,
    tags: {},
  });
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    db = await storage.openMigrated();
    const writer = new BatchWriter(db);
    const llm = [];
    // "fresh": 70 minutes of history at a steady $0.10 per 10 minutes.
    for (let t = now - 70 * 60_000; t <= now; t += 10 * 60_000) llm.push(llmRow(t, 'fresh', 0.1));
    // "steady": 26 h at the same rate, then a 10× hour.
    for (let t = now - 26 * 3_600_000; t <= now; t += 10 * 60_000)
      llm.push(llmRow(t, 'steady', t > now - 3_600_000 ? 1 : 0.1));
    await writer.write({ batch: { samples: [], llm, training: [] }, accepted: llm.length });
    await writer.close();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('cost per hour against the previous day: judged only where the day holds data', async () => {
    const input = {
      name: 'llm_cost_spike',
      type: 'threshold',
      metric: 'llm_cost_usd',
      window: '1h',
      divide_by: { window: '24h', offset: '1h' },
      op: '>',
      threshold: 3,
    };
    const rule = thresholdRuleSchema.parse(input);
    const { values } = await thresholdRuleValues(db, rule, now);
    expect(values.map((v) => v.labels.model)).toEqual(['steady']);
    expect(values[0].value).toBeGreaterThan(5);
    const lenient = thresholdRuleSchema.parse({
      ...input,
      divide_by: { ...input.divide_by, min_coverage: 0 },
    });
    expect((await thresholdRuleValues(db, lenient, now)).values.map((v) => v.labels.model).sort()).toEqual([
      'fresh',
      'steady',
    ]);
  });
});
