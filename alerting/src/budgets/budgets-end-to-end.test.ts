import fs from 'fs';
import os from 'os';
import path from 'path';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { startCollectorProcess, type CollectorProcess } from '../testing/collector-process';
import { startAlertingProcess, sleep, stopProcess, waitFor } from '../testing/process';
import { startHttpReceiver } from '../testing/receivers';
import { zoneAtNoon } from '../testing/time-zones';

/**
 * Both real processes on one PostgreSQL: LLM requests with costs pushed to the collector cross
 * a per-user daily budget in the alerting process, which notifies a real webhook receiver.
 */
const TOKEN = 'budget-e2e-token';

describe('budgets end to end: collector process → PostgreSQL → alerting process → webhook', () => {
  let storage: TestStorage;
  let configDir: string;
  beforeEach(async () => {
    storage = await createTestStorage('postgres');
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'budgets-e2e-'));
  });
  afterEach(async () => {
    fs.rmSync(configDir, { recursive: true, force: true });
    await storage.cleanup();
  });

  test('50 % and 80 % of a per-user daily budget → one webhook each, none for a user under budget, none again after a restart', async () => {
    const rx = await startHttpReceiver();
    const configFile = path.join(configDir, 'alerting.yaml');
    fs.writeFileSync(
      configFile,
      `evaluation_interval: 500ms
channels:
  - {name: hook, type: webhook, url: "\${RECEIVER_URL}/alerts"}
routes:
  - {match: {}, channels: [hook], group_by: [alertname, user_id, budget_threshold], group_wait: 0s,
     group_interval: 1s, repeat_interval: 1s}
budgets:
  - {name: user_daily_openai, match: {provider: openai}, by: [user_id], period: day,
     timezone: "${zoneAtNoon()}", limit_usd: 5, forecast: false}
`,
    );
    const env = {
      DATABASE_URL: storage.config.databaseUrl!,
      AIHUB_TOKENS: TOKEN,
      ALERTING_CONFIG: configFile,
      RECEIVER_URL: rx.url,
    };
    const request = (user: string, cost: number) => ({
      provider: 'openai',
      model: 'gpt-4o',
      input_tokens: 800,
      output_tokens: 200,
      latency_ms: 900,
      cost_usd: cost,
      user_id: user,
    });
    const thresholds = () =>
      rx.received
        .map((r) => JSON.parse(r.body))
        .flatMap((b) => b.alerts.map((a: { labels: Record<string, string> }) => a.labels));
    let collector: CollectorProcess | undefined;
    let alerting: Awaited<ReturnType<typeof startAlertingProcess>> | undefined;
    try {
      collector = await startCollectorProcess({ DATABASE_URL: env.DATABASE_URL }, TOKEN);
      alerting = await startAlertingProcess(env, ['serve']);

      expect(
        await collector.push({ llm: [request('u1', 1.5), request('u1', 1.2), request('u2', 0.5)] }),
      ).toBe(202);
      await waitFor('50 % webhook', () => rx.received.length >= 1);
      await sleep(2000); // u1 at 54 %: nothing more (repeat_interval 1 s does not repeat a budget alert)
      expect(thresholds()).toEqual([
        { alertname: 'user_daily_openai', budget_threshold: '50', user_id: 'u1', severity: 'warning' },
      ]);

      expect(await collector.push({ llm: [request('u1', 1.5), request('u2', 0.5)] })).toBe(202);
      await waitFor('80 % webhook', () => rx.received.length >= 2);
      await sleep(2000);
      expect(thresholds().map((l) => `${l.user_id} ${l.budget_threshold}`)).toEqual(['u1 50', 'u1 80']);

      await stopProcess(alerting.child);
      alerting = await startAlertingProcess(env, ['serve']);
      await sleep(3000); // several evaluations of the restarted service
      expect(rx.received).toHaveLength(2);
      const budget = (await (
        await fetch(`${alerting.url}/v1/budgets/user_daily_openai`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).json()) as { status: { instances: unknown[] } };
      expect(budget.status.instances).toEqual([
        expect.objectContaining({ labels: { user_id: 'u1' }, thresholds_crossed: [50, 80] }),
        expect.objectContaining({ labels: { user_id: 'u2' }, thresholds_crossed: [] }),
      ]);
    } finally {
      if (alerting) await stopProcess(alerting.child);
      if (collector) await stopProcess(collector.child);
      await rx.close();
    }
  });
});
