import { createLogger, type Database } from '@aihub/core';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from '../config/load';
import { buildNotification } from '../types/notification';
import { type Alert } from '../types/alert';
import { createAlerting, type Alerting } from '../service';
import { waitFor } from '../testing/process';
import { startHttpReceiver } from '../testing/receivers';
import { insertSamples } from '../testing/samples';
import { DeliveryError } from './integration';
import { PagerDutyIntegration } from './pagerduty';
import { SMS_MAX_CHARS, SmsIntegration, smsText } from './sms';

const T = Date.UTC(2026, 0, 17, 15, 0, 0);
const SID = 'AC0123456789abcdef';
const AUTH_TOKEN = 'sms-auth-token-do-not-log';
const ROUTING_KEY = 'pd-routing-key-do-not-log';

function alert(over: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'a1b2c3d4e5f60718',
    incidentId: 7,
    status: 'firing',
    labels: { alertname: 'critical_cpu_usage', severity: 'critical', host: 'gpu-01' },
    annotations: { summary: 'CPU at 97.5% on gpu-01', metric: 'system_cpu_usage_percent' },
    value: 97.5,
    startsAt: T,
    endsAt: null,
    acknowledged: false,
    ...over,
  };
}
const notification = (alerts: Alert[], extra: { probableCause?: string; id?: number } = {}) => ({
  ...buildNotification(
    'pager',
    'g',
    { alertname: 'critical_cpu_usage' },
    alerts,
    'http://alerting.example:4881',
  ),
  ...extra,
});
const form = (body: string) => Object.fromEntries(new URLSearchParams(body));
const smsTo = (apiUrl: string, to = ['+15551111111', '+15552222222']) =>
  new SmsIntegration({
    name: 'oncall-sms',
    api_url: apiUrl,
    account_sid: SID,
    auth_token: AUTH_TOKEN,
    from: '+15550000000',
    to,
    timeout: 5000,
    send_resolved: false,
  });

describe('SMS text', () => {
  test('severity, rule, value and a link in at most 160 characters; the link is never cut', () => {
    expect(smsText(notification([alert()]))).toBe(
      '[CRITICAL] critical_cpu_usage 97.5 host=gpu-01 http://alerting.example:4881/v1/incidents/7',
    );
    const long = smsText(notification([alert({ labels: { ...alert().labels, host: 'x'.repeat(300) } })]));
    expect(long.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
    expect(long.endsWith(' http://alerting.example:4881/v1/incidents/7')).toBe(true);
  });

  test('the probable cause is added only when it fits', () => {
    expect(smsText(notification([alert()], { probableCause: 'overfitting: val_loss up 40%' }))).toContain(
      '- overfitting: val_loss up 40%',
    );
    const big = smsText(notification([alert()], { probableCause: 'y'.repeat(120) }));
    expect(big).not.toContain('yyy');
    expect(big.length).toBeLessThanOrEqual(SMS_MAX_CHARS);
  });
});

describe('SMS channel (Twilio-compatible API, real HTTP receiver on loopback)', () => {
  test('one form POST per recipient with basic auth; warnings send nothing', async () => {
    const rx = await startHttpReceiver(() => ({ status: 201, body: '{"sid":"SM1"}' }));
    const sms = smsTo(rx.url);
    try {
      await sms.send(
        notification([alert({ labels: { ...alert().labels, severity: 'warning' } })], { id: 1 }),
      );
      expect(rx.calls()).toBe(0);
      await sms.send(notification([alert()], { id: 2 }));
      expect(rx.received).toHaveLength(2);
      for (const r of rx.received) {
        expect(r.headers.authorization).toBe(
          `Basic ${Buffer.from(`${SID}:${AUTH_TOKEN}`).toString('base64')}`,
        );
        expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      }
      expect(rx.received.map((r) => form(r.body).To)).toEqual(['+15551111111', '+15552222222']);
      expect(form(rx.received[0].body)).toMatchObject({ From: '+15550000000' });
      expect(form(rx.received[0].body).Body).toMatch(/^\[CRITICAL\] critical_cpu_usage 97\.5/);
    } finally {
      await rx.close();
    }
  });

  test('a 429 carries Retry-After; the retry reaches only the recipients not yet reached; errors name no secret', async () => {
    const rx = await startHttpReceiver((n) =>
      n === 2 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 201 },
    );
    const sms = smsTo(rx.url);
    try {
      const n = notification([alert()], { id: 9 });
      const err = (await sms.send(n).catch((e) => e)) as DeliveryError;
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ retryable: true, retryAfterMs: 2000 });
      expect(err.message).not.toContain(AUTH_TOKEN);
      await sms.send(n);
      expect(rx.received.map((r) => form(r.body).To)).toEqual(['+15551111111', '+15552222222']);
    } finally {
      await rx.close();
    }
  });

  test('a 400 (bad number) is permanent', async () => {
    const rx = await startHttpReceiver(() => ({ status: 400 }));
    const sms = smsTo(rx.url, ['+15551111111']);
    try {
      await expect(sms.send(notification([alert()]))).rejects.toMatchObject({ retryable: false });
    } finally {
      await rx.close();
    }
  });
});

describe('PagerDuty channel (Events API v2, real HTTP receiver on loopback)', () => {
  test('trigger with dedup_key = fingerprint, resolve on resolution', async () => {
    const rx = await startHttpReceiver(() => ({ status: 202, body: '{"status":"success"}' }));
    const pd = new PagerDutyIntegration({
      name: 'pd',
      url: `${rx.url}/v2/enqueue`,
      routing_key: ROUTING_KEY,
      timeout: 5000,
      send_resolved: true,
    });
    try {
      await pd.send(notification([alert()], { id: 1, probableCause: 'cpu-bound job' }));
      await pd.send(notification([alert({ status: 'resolved', endsAt: T + 60_000 })], { id: 2 }));
      const events = rx.received.map((r) => JSON.parse(r.body));
      expect(events[0]).toMatchObject({
        routing_key: ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: 'a1b2c3d4e5f60718',
        payload: {
          summary: 'CPU at 97.5% on gpu-01',
          source: 'gpu-01',
          severity: 'critical',
          class: 'critical_cpu_usage',
          custom_details: { probable_cause: 'cpu-bound job', value: 97.5 },
        },
        client_url: 'http://alerting.example:4881/v1/incidents/7',
      });
      expect(events[1]).toEqual({
        routing_key: ROUTING_KEY,
        event_action: 'resolve',
        dedup_key: 'a1b2c3d4e5f60718',
      });
    } finally {
      await rx.close();
    }
  });
});

describe('paging channels through the outbox (PostgreSQL)', () => {
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

  test('429 + Retry-After is honoured, each message is delivered once, the resolution reaches PagerDuty, secrets never logged', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    const calls: { channel: string; at: number; status: number }[] = [];
    const receiver = (channel: string) =>
      startHttpReceiver((n) => {
        const status = n === 1 ? 429 : channel === 'sms' ? 201 : 202;
        calls.push({ channel, at: Date.now(), status });
        return status === 429 ? { status, headers: { 'retry-after': '1' } } : { status };
      });
    const smsRx = await receiver('sms');
    const pdRx = await receiver('pd');
    process.env.TEST_SMS_TOKEN = AUTH_TOKEN;
    try {
      const config = parseAlertingConfig(
        `evaluation_interval: 200ms
retry: {initial_backoff: 100ms, max_backoff: 5s, max_attempts: 5}
channels:
  - {name: sms, type: sms, api_url: "${smsRx.url}", account_sid: ${SID}, auth_token: "\${TEST_SMS_TOKEN}", from: "+15550000000", to: ["+15551111111"]}
  - {name: pd, type: pagerduty, url: "${pdRx.url}/v2/enqueue", routing_key: ${ROUTING_KEY}}
routes:
  - {match: {severity: critical}, channels: [sms, pd], group_by: [alertname], group_wait: 0s, group_interval: 200ms, repeat_interval: 1h}
rules:
  - {name: critical_cpu_usage, type: threshold, metric: system_cpu_usage_percent, aggregation: last, window: 5s,
     op: ">", threshold: 95, severity: critical}
`,
        process.env,
      );
      alerting = createAlerting({ config, db, port: 0, logger, handleSignals: false });
      await alerting.start();
      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now(), 99]]);
      await waitFor(
        'SMS and PagerDuty trigger delivered',
        () => smsRx.received.length >= 1 && pdRx.received.length >= 1,
      );
      for (const channel of ['sms', 'pd']) {
        const mine = calls.filter((c) => c.channel === channel);
        expect(mine.map((c) => c.status).slice(0, 2)).toEqual([429, channel === 'sms' ? 201 : 202]);
        expect(mine[1].at - mine[0].at).toBeGreaterThanOrEqual(950); // Retry-After: 1, not the 100 ms backoff
      }
      expect(form(smsRx.received[0].body).Body).toMatch(/^\[CRITICAL\] critical_cpu_usage 99 host=gpu-01/);
      expect(JSON.parse(pdRx.received[0].body)).toMatchObject({ event_action: 'trigger' });

      await insertSamples(db, 'system_cpu_usage_percent', { host: 'gpu-01' }, [[Date.now() + 1, 20]]);
      await waitFor('PagerDuty resolve', () => pdRx.received.length >= 2);
      const resolve = JSON.parse(pdRx.received[1].body);
      expect(resolve).toEqual({
        routing_key: ROUTING_KEY,
        event_action: 'resolve',
        dedup_key: JSON.parse(pdRx.received[0].body).dedup_key,
      });
      await new Promise((r) => setTimeout(r, 1000));
      expect(smsRx.received).toHaveLength(1); // SMS has send_resolved off by default: critical firing only
      expect(pdRx.received).toHaveLength(2);
      expect(lines.some((l) => l.includes('notification failed; will retry'))).toBe(true);
      expect(lines.join('\n')).not.toContain(AUTH_TOKEN);
      expect(lines.join('\n')).not.toContain(ROUTING_KEY);
    } finally {
      delete process.env.TEST_SMS_TOKEN;
      await smsRx.close();
      await pdRx.close();
    }
  });
});
