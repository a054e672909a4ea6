import { createLogger, type Database } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from './config/load';
import { createAlerting, type Alerting } from './service';
import { startHttpReceiver } from './testing/receivers';
import { insertSamples } from './testing/samples';
import { sleep, waitFor } from './testing/process';
import { verifySignature } from './notify/webhook';

const logger = createLogger({ level: 'error' });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const getJson = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

function config(receiverUrl: string, extra = '') {
  return parseAlertingConfig(
    `evaluation_interval: 200ms
retry: {initial_backoff: 200ms, max_backoff: 1s, max_attempts: 3}
channels:
  - {name: hook, type: webhook, url: "${receiverUrl}/alerts", secret: s3cret}
routes:
  - {match: {}, channels: [hook], group_by: [alertname], group_wait: 0s, group_interval: 300ms, repeat_interval: 1h}
rules:
  - {name: critical_cpu_usage, type: threshold, metric: system_cpu_usage_percent, aggregation: last, window: 5s,
     op: ">", threshold: 95, for: 600ms, severity: critical, annotations: {summary: "CPU {{ $value }}% on {{ $labels.host }}"}}
${extra}`,
    {},
  );
}

describe.each(TEST_DRIVERS)('alerting service on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  let alerting: Alerting | undefined;
  beforeEach(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
  });
  afterEach(async () => {
    await alerting?.stop();
    alerting = undefined;
    await db.close();
    await storage.cleanup();
  });

  test('full path: samples cross the threshold → fires after `for` → webhook delivered → recovery → resolved notification', async () => {
    const rx = await startHttpReceiver();
    try {
      alerting = createAlerting({ config: config(rx.url), db, port: 0, logger, handleSignals: false });
      const { url } = await alerting.start();
      const t0 = Date.now();
      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[t0, 99]]);
      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-02' }, [[t0, 20]]);
      await waitFor('firing notification', () => rx.received.length >= 1);
      const firing = JSON.parse(rx.received[0].body);
      expect(rx.received[0].at - t0).toBeGreaterThanOrEqual(600);
      expect(
        verifySignature(
          's3cret',
          rx.received[0].body,
          String(rx.received[0].headers['x-aihub-signature']),
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(true);
      expect(firing).toMatchObject({
        version: '4',
        status: 'firing',
        receiver: 'hook',
        groupLabels: { alertname: 'critical_cpu_usage' },
      });
      expect(firing.alerts).toHaveLength(1);
      expect(firing.alerts[0]).toMatchObject({
        status: 'firing',
        labels: { host: 'gpu-01', severity: 'critical' },
        annotations: { summary: 'CPU 99% on gpu-01' },
      });

      const incidents = await getJson(fetch(`${url}/v1/incidents?status=active`));
      expect(incidents.incidents).toHaveLength(1);
      expect(incidents.incidents[0]).toMatchObject({
        rule: 'critical_cpu_usage',
        trigger_value: 99,
        labels: { host: 'gpu-01' },
      });

      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 50]]);
      await waitFor('resolved notification', () => rx.received.length >= 2);
      const resolved = JSON.parse(rx.received[1].body);
      expect(resolved.status).toBe('resolved');
      expect(resolved.alerts[0]).toMatchObject({
        status: 'resolved',
        fingerprint: firing.alerts[0].fingerprint,
      });
      expect(resolved.alerts[0].endsAt).not.toBe('0001-01-01T00:00:00Z');
      await sleep(1000);
      expect(rx.received).toHaveLength(2); // nothing repeated
      const after = await getJson(fetch(`${url}/v1/incidents?rule=critical_cpu_usage`));
      expect(after.incidents[0]).toMatchObject({ status: 'resolved', last_value: 50 });
    } finally {
      await rx.close();
    }
  });

  test('a receiver that stays down ends in the dead letters, visible in the API and /metrics; a working channel is not held up', async () => {
    const down = await startHttpReceiver(() => ({ status: 503 }));
    const up = await startHttpReceiver();
    try {
      const cfg = config(down.url);
      cfg.channels.push({
        name: 'good',
        type: 'webhook',
        url: up.url,
        headers: {},
        timeout: 10_000,
        send_resolved: true,
      });
      cfg.routes[0].channels.push('good');
      alerting = createAlerting({ config: cfg, db, port: 0, logger, handleSignals: false });
      const { url } = await alerting.start();
      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 99]]);
      await waitFor('delivery to the working channel', () => up.received.length >= 1);
      const dead = await waitFor('dead letter', async () => {
        const res = await getJson(fetch(`${url}/v1/notifications?status=dead`));
        return res.notifications.length ? res.notifications : null;
      });
      expect(dead[0]).toMatchObject({ channel: 'hook', attempts: 3, status: 'dead' });
      expect(dead[0].last_error).toMatch(/HTTP 503/);
      expect(down.calls()).toBe(3);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toMatch(/aihub_notifications_total\{[^}]*channel="hook"[^}]*outcome="dead"[^}]*\} 1/);
      expect(metrics).toMatch(/aihub_notifications_total\{[^}]*channel="hook"[^}]*outcome="failed"[^}]*\} 2/);
      expect(metrics).toMatch(/aihub_notifications_total\{[^}]*channel="good"[^}]*outcome="sent"[^}]*\} 1/);
      expect(metrics).not.toMatch(/aihub_notifications_total\{[^}]*status=/);
      expect(metrics).toMatch(
        /aihub_alerts\{[^}]*alertname="critical_cpu_usage"[^}]*state="firing"[^}]*\} 1/,
      );
      expect(metrics).toMatch(/aihub_alerts_firing\{[^}]*severity="critical"[^}]*\} 1/);
      expect(metrics).toMatch(/aihub_alerts_firing\{[^}]*severity="warning"[^}]*\} 0/);
      for (const suffix of ['bucket', 'sum', 'count'])
        expect(metrics).toMatch(
          new RegExp(
            `^aihub_rule_evaluation_duration_seconds_${suffix}\\{[^}]*rule="critical_cpu_usage"`,
            'm',
          ),
        );
    } finally {
      await down.close();
      await up.close();
    }
  });

  test('a silence mutes notifications but not evaluation; the incident shows as suppressed', async () => {
    const rx = await startHttpReceiver();
    try {
      alerting = createAlerting({ config: config(rx.url), db, port: 0, logger, handleSignals: false });
      const { url } = await alerting.start();
      const res = await fetch(`${url}/v1/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          matchers: [{ name: 'host', value: 'gpu-0[12]', is_regex: true }],
          ends_at: new Date(Date.now() + 3_600_000).toISOString(),
          comment: 'maintenance',
          created_by: 'ops',
        }),
      });
      expect(res.status).toBe(201);
      const silence = await getJson(res);
      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 99]]);
      const incident = await waitFor(
        'suppressed incident',
        async () => (await getJson(fetch(`${url}/v1/incidents?status=suppressed`))).incidents[0],
      );
      expect(incident.labels.host).toBe('gpu-01');
      await sleep(800);
      expect(rx.received).toHaveLength(0);
      await fetch(`${url}/v1/silences/${silence.id}`, { method: 'DELETE' });
      await waitFor('notification after the silence ends', () => rx.received.length >= 1);
      expect(JSON.parse(rx.received[0].body).alerts[0].labels.host).toBe('gpu-01');
    } finally {
      await rx.close();
    }
  });

  test('SIGHUP-style reload swaps rules and channels without losing the firing state', async () => {
    const rx = await startHttpReceiver();
    try {
      alerting = createAlerting({ config: config(rx.url), db, port: 0, logger, handleSignals: false });
      const { url } = await alerting.start();
      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 99]]);
      await waitFor('firing notification', () => rx.received.length >= 1);
      const extra = `  - {name: deep_queue, type: threshold, metric: queue_depth, aggregation: last, window: 5s, op: ">", threshold: 10}`;
      await alerting.reload(config(rx.url, extra));
      await insertSamples(db, 'queue_depth', { queue: 'llm' }, [[Date.now(), 50]]);
      await waitFor('second rule notification', () =>
        rx.received.some((r) => JSON.parse(r.body).groupLabels.alertname === 'deep_queue'),
      );
      const rules = await getJson(fetch(`${url}/v1/rules`));
      expect(rules.rules.map((r: { name: string }) => r.name).sort()).toEqual([
        'critical_cpu_usage',
        'deep_queue',
      ]);
      await sleep(600);
      // the CPU alert kept firing across the reload: still one incident, never re-sent
      expect(
        rx.received.filter((r) => JSON.parse(r.body).groupLabels.alertname === 'critical_cpu_usage'),
      ).toHaveLength(1);
      expect((await getJson(fetch(`${url}/v1/incidents?rule=critical_cpu_usage`))).incidents).toHaveLength(1);
    } finally {
      await rx.close();
    }
  });
});
