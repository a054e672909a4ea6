import { BatchWriter, createTestStorage, type Database, type TestStorage } from '@aihub/core';
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
    const values = await thresholdRuleValues(db, rule({}), now);
    expect(values).toHaveLength(6);
  });

  test('by: [endpoint] gives one value per endpoint over all users', async () => {
    const values = await thresholdRuleValues(db, rule({ by: ['endpoint'] }), now);
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
