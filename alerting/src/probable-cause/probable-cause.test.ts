import http from 'http';
import type { AddressInfo } from 'net';
import { createLogger, type Database } from '@aihub/core';
import { startOpenAiTestServer, trainingRun } from '@aihub/core/testing';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from '../config/load';
import { createAlerting, type Alerting } from '../service';
import { startCollectorProcess, type CollectorProcess } from '../testing/collector-process';
import { stopProcess, waitFor } from '../testing/process';
import { startHttpReceiver } from '../testing/receivers';
import { describeFinding, topFinding } from './probable-cause';

const TOKEN = 'cause-token';
const logger = createLogger({ level: 'error' });
const exp = (e: number) => 2 * Math.exp(-e / 8) + 0.1;

/** An overfitting run as the collector's `training` push items (val loss turns up after epoch 15). */
function overfittingRunItems(runId: string, start: number) {
  const series = trainingRun({
    runId,
    epochs: 40,
    start,
    intervalMs: 10_000,
    trainLoss: exp,
    valLoss: (e) => (e < 15 ? exp(e) * 1.1 : exp(15) * 1.1 * (1 + 0.04 * (e - 15))),
  });
  const byTs = new Map<number, Record<string, number>>();
  for (const s of series)
    for (const [ts, v] of s.points) byTs.set(ts, { ...byTs.get(ts), [s.name.replace(/^training_/, '')]: v });
  return [...byTs.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ts, m]) => {
      const { epoch, ...metrics } = m;
      return { run_id: runId, ts, ...(epoch !== undefined ? { epoch } : {}), metrics };
    });
}

function config(receiverUrl: string, collectorUrl: string, cause = 'timeout: 1s') {
  return parseAlertingConfig(
    `evaluation_interval: 200ms
channels:
  - {name: hook, type: webhook, url: "${receiverUrl}/alerts"}
routes:
  - {match: {}, channels: [hook], group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
rules:
  - {name: val_loss_high, type: threshold, metric: training_val_loss, aggregation: last, window: 1h,
     op: ">", threshold: 0.3, severity: warning}
probable_cause: {collector_url: "${collectorUrl}", token: ${TOKEN}, ${cause}}
`,
    {},
  );
}

describe('topFinding', () => {
  test('the most severe finding other than healthy, with its code, one sentence and three evidence numbers', () => {
    const f = topFinding([
      { code: 'healthy', severity: 'info', title: '', detail: 'Fine.', evidence: {} },
      { code: 'plateau', severity: 'warning', title: '', detail: 'Loss is flat. More.', evidence: { a: 1 } },
      {
        code: 'overfitting',
        severity: 'critical',
        title: '',
        detail: 'Validation loss rose 40% since epoch 15. Stop early.',
        evidence: { val_train_ratio: 1.83333, rise_pct: 40, epoch: 15, note: 'x', extra: 9 },
      },
    ]);
    expect(describeFinding(f!)).toBe(
      'overfitting: Validation loss rose 40% since epoch 15. (val_train_ratio=1.833, rise_pct=40, epoch=15)',
    );
    expect(
      topFinding([{ code: 'healthy', severity: 'info', title: '', detail: '', evidence: {} }]),
    ).toBeNull();
  });
});

describe('probable cause from the collector in notifications (PostgreSQL, collector process)', () => {
  let storage: TestStorage;
  let db: Database;
  let alerting: Alerting | undefined;
  beforeEach(async () => {
    storage = await createTestStorage('postgres');
    db = await storage.openMigrated();
  });
  afterEach(async () => {
    await alerting?.stop();
    alerting = undefined;
    await db.close();
    await storage.cleanup();
  });

  test("an overfitting run's alert carries the overfitting finding", async () => {
    const rx = await startHttpReceiver();
    let collector: CollectorProcess | undefined;
    try {
      collector = await startCollectorProcess({ DATABASE_URL: storage.config.databaseUrl! }, TOKEN);
      expect(
        await collector.push({ training: overfittingRunItems('resnet-overfit', Date.now() - 30 * 60_000) }),
      ).toBe(202);
      alerting = createAlerting({
        config: config(rx.url, collector.url),
        db,
        port: 0,
        logger,
        handleSignals: false,
      });
      await alerting.start();
      await waitFor('notification', () => rx.received.length >= 1);
      const body = JSON.parse(rx.received[0].body);
      expect(body.alerts[0].labels).toMatchObject({ alertname: 'val_loss_high', run_id: 'resnet-overfit' });
      expect(body.probableCause).toMatch(/^overfitting: .*run "resnet-overfit"/);
      expect(body.probableCause).toMatch(/\(\w+=[\d.]+/);
    } finally {
      if (collector) await stopProcess(collector.child);
      await rx.close();
    }
  });

  test('with narrative on, the LLM narrative follows the finding when it arrives within its budget', async () => {
    const rx = await startHttpReceiver();
    const llm = await startOpenAiTestServer({
      defaultBehaviour: { type: 'stream', chunks: ['Validation loss ', 'rose after epoch 15.'] },
    });
    let collector: CollectorProcess | undefined;
    try {
      collector = await startCollectorProcess(
        {
          DATABASE_URL: storage.config.databaseUrl!,
          OPENAI_BASE_URL: llm.baseURL,
          OPENAI_API_KEY: 'test-key',
          AIHUB_LLM_MODEL: 'test-model',
        },
        TOKEN,
      );
      expect(
        await collector.push({ training: overfittingRunItems('vit-overfit', Date.now() - 30 * 60_000) }),
      ).toBe(202);
      alerting = createAlerting({
        config: config(rx.url, collector.url, 'timeout: 1s, narrative: true, narrative_timeout: 5s'),
        db,
        port: 0,
        logger,
        handleSignals: false,
      });
      await alerting.start();
      await waitFor('notification', () => rx.received.length >= 1, 20_000);
      const cause: string = JSON.parse(rx.received[0].body).probableCause;
      expect(cause).toMatch(/^overfitting: /);
      expect(cause).toContain('\n\nValidation loss rose after epoch 15.');
    } finally {
      if (collector) await stopProcess(collector.child);
      await llm.close();
      await rx.close();
    }
  });

  test('with the collector unresponsive the notification still goes out within the budget, without a cause', async () => {
    // A real server that accepts connections and never answers: the worst kind of unreachable.
    const sockets = new Set<import('net').Socket>();
    const blackhole = http.createServer(() => undefined);
    blackhole.on('connection', (s) => sockets.add(s));
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const rx = await startHttpReceiver();
    try {
      const port = (blackhole.address() as AddressInfo).port;
      alerting = createAlerting({
        config: config(rx.url, `http://127.0.0.1:${port}`),
        db,
        port: 0,
        logger,
        handleSignals: false,
      });
      await alerting.start();
      const { insertSamples } = await import('../testing/samples');
      await insertSamples(db, 'training_val_loss', { run_id: 'r1' }, [[Date.now(), 0.9]]);
      await waitFor('notification', () => rx.received.length >= 1, 10_000);
      const [incident] = await db.query<{ t: number }>(
        `SELECT extract(epoch FROM triggered_at) * 1000 AS t FROM alert_incidents`,
      );
      const delay = rx.received[0].at - Number(incident.t);
      expect(delay).toBeLessThan(1000 + 800); // the 1 s budget plus one evaluation interval and slack
      expect(JSON.parse(rx.received[0].body).probableCause).toBeUndefined();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => blackhole.close(() => r()));
      await rx.close();
    }
  });
});
