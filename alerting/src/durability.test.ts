import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Database } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { startHttpReceiver } from './testing/receivers';
import { insertSamples } from './testing/samples';
import { killHard, sleep, startAlertingProcess, waitFor } from './testing/process';

/**
 * Real `aihub-alerting` processes: SIGKILL while a receiver is down, restart on the same
 * database, the receiver comes back → exactly one delivery. Then two replicas on one
 * PostgreSQL: one notification per event, and the survivor takes over when the leader dies.
 */
function writeConfig(receiverUrl: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerting-dur-'));
  const file = path.join(dir, 'alerting.yaml');
  fs.writeFileSync(
    file,
    `evaluation_interval: 200ms
leader_lease: 1500ms
retry: {initial_backoff: 300ms, max_backoff: 600ms, max_attempts: 1000}
channels:
  - {name: hook, type: webhook, url: "${receiverUrl}/alerts"}
routes:
  - {match: {}, channels: [hook], group_by: [alertname, host], group_wait: 0s, group_interval: 300ms, repeat_interval: 1h}
rules:
  - {name: critical_cpu_usage, type: threshold, metric: system_cpu_usage_percent, aggregation: last, window: 10m,
     op: ">", threshold: 95, severity: critical, no_data: keep}
`,
  );
  return file;
}

function dbEnv(storage: TestStorage): Record<string, string> {
  return storage.env;
}

async function withDb<T>(storage: TestStorage, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await storage.openMigrated();
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

describe.each(TEST_DRIVERS)('restart durability on %s', (driver) => {
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await createTestStorage(driver);
  });
  afterEach(async () => {
    await storage.cleanup();
  });

  test('killed with SIGKILL while the receiver is down: after restart, exactly one delivery', async () => {
    let down = true;
    const rx = await startHttpReceiver(() => (down ? { status: 503 } : { status: 200 }));
    const cfg = writeConfig(rx.url);
    // A sample recent enough to stay inside the 10 m window for the whole test.
    await withDb(storage, (db) =>
      insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 99]]),
    );
    const env = { ...dbEnv(storage), ALERTING_CONFIG: cfg };
    let a = await startAlertingProcess(env);
    try {
      await waitFor('several failed attempts', () => rx.calls() >= 3, 60_000);
      await killHard(a.child); // mid-retry
      const attemptsBefore = rx.calls();
      down = false;
      a = await startAlertingProcess(env);
      await waitFor('delivery after restart', () => rx.received.length >= 1, 60_000);
      await sleep(2000); // several more cycles: nothing else may arrive
      expect(rx.received).toHaveLength(1);
      expect(rx.calls()).toBe(attemptsBefore + 1);
      const body = JSON.parse(rx.received[0].body);
      expect(body.alerts[0].labels).toMatchObject({ alertname: 'critical_cpu_usage', host: 'gpu-01' });

      // And a delivered notification is not sent again by a second restart.
      await killHard(a.child);
      a = await startAlertingProcess(env);
      await sleep(2000);
      expect(rx.received).toHaveLength(1);
    } finally {
      await killHard(a.child);
      await rx.close();
    }
  });
});

describe('two replicas on one PostgreSQL', () => {
  let storage: TestStorage;
  beforeEach(async () => {
    storage = await createTestStorage('postgres');
  });
  afterEach(async () => {
    await storage.cleanup();
  });

  test('one notification per event; the leader is killed, the other takes over with nothing lost or doubled', async () => {
    const rx = await startHttpReceiver();
    const env = { ...dbEnv(storage), ALERTING_CONFIG: writeConfig(rx.url) };
    await withDb(storage, async () => undefined); // migrate before both start
    const replicas = [
      await startAlertingProcess({ ...env, ALERTING_INSTANCE_ID: 'replica-a' }),
      await startAlertingProcess({ ...env, ALERTING_INSTANCE_ID: 'replica-b' }),
    ];
    try {
      await withDb(storage, (db) =>
        insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 99]]),
      );
      await waitFor('first event delivered', () => rx.received.length >= 1, 60_000);
      await sleep(1500);
      expect(rx.received).toHaveLength(1);

      const status = (await (await fetch(`${replicas[0].url}/v1/status`)).json()) as { holder: string };
      const leaderIdx = status.holder === 'replica-a' ? 0 : 1;
      expect(['replica-a', 'replica-b']).toContain(status.holder);
      await killHard(replicas[leaderIdx].child);
      const killedAt = Date.now();

      await withDb(storage, (db) =>
        insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-02' }, [[Date.now(), 99]]),
      );
      await waitFor('second event delivered by the survivor', () => rx.received.length >= 2, 60_000);
      const handover = Date.now() - killedAt;
      await sleep(1500);
      expect(rx.received).toHaveLength(2);
      const hosts = rx.received.map((r) => JSON.parse(r.body).alerts[0].labels.host);
      expect(hosts).toEqual(['gpu-01', 'gpu-02']);
      // Lease (1.5 s) plus an evaluation interval, with slack for a loaded machine.
      expect(handover).toBeLessThan(15_000);
      const after = await (await fetch(`${replicas[1 - leaderIdx].url}/v1/status`)).json();
      expect(after).toMatchObject({ leader: true, holder: `replica-${leaderIdx === 0 ? 'b' : 'a'}` });
    } finally {
      for (const r of replicas) await killHard(r.child);
      await rx.close();
    }
  });
});
