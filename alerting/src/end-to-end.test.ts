import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { startCollectorProcess, type CollectorProcess } from './testing/collector-process';
import { startAlertingProcess, sleep, stopProcess, waitFor } from './testing/process';
import { startHttpReceiver, type Received } from './testing/receivers';

/**
 * Both real processes on one PostgreSQL: `node collector/dist/main.js` ingests pushes over
 * HTTP, `aihub-alerting serve` evaluates what it stored and notifies a real webhook receiver.
 */
const TOKEN = 'e2e-token';
const SECRET = 'e2e-webhook-secret';

/** The receiver's side of DESIGN.md's contract, computed here rather than with the sender's code. */
function signatureValid(r: Received): boolean {
  const header = String(r.headers['x-aihub-signature'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = crypto.createHmac('sha256', SECRET).update(`${m[1]}.${r.body}`).digest();
  const fresh = Math.abs(r.at / 1000 - Number(m[1])) < 60;
  return fresh && crypto.timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

describe('end to end: collector process → PostgreSQL → alerting process → webhook', () => {
  let storage: TestStorage;
  let configDir: string;
  beforeEach(async () => {
    storage = await createTestStorage('postgres');
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerting-e2e-'));
  });
  afterEach(async () => {
    fs.rmSync(configDir, { recursive: true, force: true });
    await storage.cleanup();
  });

  test('a push crosses the threshold → one signed firing webhook; values fall back → one resolved webhook', async () => {
    const rx = await startHttpReceiver();
    const configFile = path.join(configDir, 'alerting.yaml');
    // ${…} references are substituted from the alerting process's environment.
    fs.writeFileSync(
      configFile,
      `evaluation_interval: 1s
channels:
  - {name: pager, type: webhook, url: "\${RECEIVER_URL}/alerts", secret: "\${WEBHOOK_SECRET}"}
routes:
  - {match: {}, channels: [pager], group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
rules:
  - {name: queue_backlog, type: threshold, metric: queue_depth, aggregation: last, window: 30s,
     op: ">", threshold: 100, for: 0s, severity: critical,
     annotations: {summary: "queue {{ $labels.queue }} at {{ $value }}"}}
`,
    );
    const dbEnv = { DATABASE_URL: storage.config.databaseUrl! };
    let collector: CollectorProcess | undefined;
    let alerting: Awaited<ReturnType<typeof startAlertingProcess>> | undefined;
    try {
      collector = await startCollectorProcess(dbEnv, TOKEN); // migrates the fresh database
      alerting = await startAlertingProcess(
        {
          ...dbEnv,
          AIHUB_TOKENS: TOKEN,
          ALERTING_CONFIG: configFile,
          RECEIVER_URL: rx.url,
          WEBHOOK_SECRET: SECRET,
        },
        ['serve'],
      );
      const depth = (llm: number, batch: number) => ({
        samples: [
          { name: 'queue_depth', value: llm, labels: { queue: 'llm' } },
          { name: 'queue_depth', value: batch, labels: { queue: 'batch' } },
        ],
      });

      expect(await collector.push(depth(40, 3))).toBe(202);
      await sleep(2500); // two evaluations below the threshold: nothing is sent
      expect(rx.received).toHaveLength(0);

      expect(await collector.push(depth(150, 3))).toBe(202);
      await waitFor('firing webhook', () => rx.received.length >= 1, 30_000);
      const firing = JSON.parse(rx.received[0].body);
      expect(signatureValid(rx.received[0])).toBe(true);
      expect(firing).toMatchObject({
        version: '4',
        status: 'firing',
        receiver: 'pager',
        groupLabels: { alertname: 'queue_backlog' },
      });
      expect(firing.alerts).toHaveLength(1); // only the series over the threshold
      expect(firing.alerts[0]).toMatchObject({
        status: 'firing',
        labels: { alertname: 'queue_backlog', queue: 'llm', severity: 'critical' },
        annotations: { summary: 'queue llm at 150' },
      });

      // Still above: the alert keeps firing and is not sent again.
      expect(await collector.push(depth(170, 3))).toBe(202);
      await sleep(2500);
      expect(rx.received).toHaveLength(1);

      expect(await collector.push(depth(20, 3))).toBe(202);
      await waitFor('resolved webhook', () => rx.received.length >= 2, 30_000);
      const resolved = JSON.parse(rx.received[1].body);
      expect(signatureValid(rx.received[1])).toBe(true);
      expect(resolved.status).toBe('resolved');
      expect(resolved.alerts).toHaveLength(1);
      expect(resolved.alerts[0]).toMatchObject({
        status: 'resolved',
        fingerprint: firing.alerts[0].fingerprint,
        labels: { queue: 'llm' },
      });
      expect(Date.parse(resolved.alerts[0].endsAt)).toBeGreaterThan(Date.parse(firing.alerts[0].startsAt));

      await sleep(3000); // three more evaluations: nothing else arrives
      expect(rx.received.map((r) => JSON.parse(r.body).status)).toEqual(['firing', 'resolved']);
      const incidents = (await (
        await fetch(`${alerting.url}/v1/incidents?rule=queue_backlog`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })
      ).json()) as { incidents: { status: string; trigger_value: number; last_value: number }[] };
      expect(incidents.incidents).toEqual([
        expect.objectContaining({ status: 'resolved', trigger_value: 150, last_value: 20 }),
      ]);
    } finally {
      if (alerting) await stopProcess(alerting.child);
      if (collector) await stopProcess(collector.child);
      await rx.close();
    }
  });
});
