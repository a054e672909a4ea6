import { BatchWriter, createLogger, notifyCommitted, type Database } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from './config/load';
import { CommitTrigger, type Touched } from './rules/commit-trigger';
import { createAlerting } from './service';
import { sleep, waitFor } from './testing/process';
import { startHttpReceiver } from './testing/receivers';

const logger = createLogger({ level: 'error' });

describe.each(TEST_DRIVERS)('evaluation on commit on %s', (driver) => {
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

  test('a committed push fires a for: 0s rule at once, long before the hourly sweep', async () => {
    const rx = await startHttpReceiver();
    const config = parseAlertingConfig(
      `evaluation_interval: 1h
channels: [{name: hook, type: webhook, url: "${rx.url}/alerts", secret: "s3cret"}]
routes: [{channels: [hook], group_by: [alertname, host], group_wait: 0s}]
rules:
  - {name: hot, type: threshold, metric: push_cpu, aggregation: last, window: 1m, op: ">", threshold: 90, for: 0s}
  - {name: other, type: threshold, metric: other_metric, aggregation: last, window: 1m, op: ">", threshold: 0, for: 0s}`,
      {},
    );
    const alerting = createAlerting({ config, db, port: 0, logger, handleSignals: false });
    const writer = new BatchWriter(db);
    try {
      await alerting.start();
      await waitFor('leadership', () => alerting.isLeader());
      await sleep(200); // the first sweep has run; the next is an hour away
      const pushedAt = Date.now();
      await writer.write({
        batch: {
          samples: [{ name: 'push_cpu', labels: { host: 'h1' }, timeMs: pushedAt, value: 99 }],
          llm: [],
          training: [],
        },
        accepted: 1,
      });
      await waitFor('webhook', () => rx.received.length > 0, 5_000, 5);
      expect(rx.received[0].at - pushedAt).toBeLessThan(2_000);
      expect(rx.received[0].headers['x-aihub-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
      const body = JSON.parse(rx.received[0].body) as { alerts: { labels: Record<string, string> }[] };
      expect(body.alerts[0].labels).toMatchObject({ alertname: 'hot', host: 'h1' });
    } finally {
      await writer.close();
      await alerting.stop();
      await rx.close();
    }
  });

  test('notices arriving together are evaluated together, with the union of their names', async () => {
    const runs: Touched[] = [];
    const trigger = new CommitTrigger({
      db,
      logger,
      run: async (t) => {
        runs.push(t);
        await sleep(30);
      },
    });
    await trigger.start();
    try {
      for (let i = 0; i < 20; i++) await db.transaction((tx) => notifyCommitted(tx, [`m${i % 3}`], false));
      await waitFor(
        'runs',
        () => runs.length > 0 && runs.flatMap((r) => (r === 'all' ? [] : [...r])).length >= 3,
      );
      await sleep(200);
      expect(runs.length).toBeLessThan(20);
      const names = new Set(runs.flatMap((r) => (r === 'all' ? [] : [...r])));
      expect([...names].sort()).toEqual(['m0', 'm1', 'm2']);
    } finally {
      await trigger.stop();
    }
  });
});
