import fs from 'node:fs';
import path from 'node:path';
import { BatchWriter, type Database, type LlmRow } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
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
