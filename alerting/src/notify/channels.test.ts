import { buildNotification } from '../types/notification';
import { type Alert } from '../types/alert';
import { startHttpReceiver, startSmtpReceiver, parseMime } from '../testing/receivers';
import { EmailIntegration } from './email';
import { DeliveryError } from './integration';
import { SlackIntegration, slackMessage } from './slack';
import { verifySignature, WebhookIntegration } from './webhook';

const HOSTILE = '<script>alert(1)</script>';
const T = Date.UTC(2026, 0, 17, 15, 0, 0);

function alert(over: Partial<Alert> = {}): Alert {
  return {
    fingerprint: 'a1b2c3d4e5f60718',
    incidentId: 7,
    status: 'firing',
    labels: { alertname: 'high_cpu_usage', severity: 'critical', host: HOSTILE, team: 'infra & ops' },
    annotations: { summary: `CPU at 97% on ${HOSTILE}`, metric: 'system_cpu_usage_percent' },
    value: 97,
    startsAt: T,
    endsAt: null,
    acknowledged: false,
    ...over,
  };
}

describe('email channel (real SMTP server on loopback)', () => {
  test('HTML escapes every interpolated value, has a severity colour band, a text part and the plan subject', async () => {
    const smtp = await startSmtpReceiver();
    const email = new EmailIntegration({
      name: 'oncall-mail',
      smtp_url: smtp.url,
      from: 'alerts@example.com',
      to: ['oncall@example.com'],
      send_resolved: true,
    });
    try {
      await email.send({
        ...buildNotification(
          'oncall-mail',
          'g',
          { alertname: 'high_cpu_usage' },
          [alert()],
          'http://alerting.test',
        ),
        id: 41,
      });
      expect(smtp.messages).toHaveLength(1);
      const m = smtp.messages[0];
      expect(m.to).toEqual(['oncall@example.com']);
      const mail = parseMime(m.raw);
      expect(mail.headers.subject).toBe('[CRITICAL] high_cpu_usage alert: system_cpu_usage_percent');
      expect(mail.headers['x-aihub-notification-id']).toBe('41');
      expect(mail.html).not.toContain('<script>');
      expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(mail.html).toContain('infra &amp; ops');
      expect(mail.html).toContain('background:#ff4444');
      expect(mail.text).toContain(`host=${HOSTILE}`);
      expect(mail.text).toContain('value=97');
    } finally {
      await email.close();
      await smtp.close();
    }
  });

  test('an unreachable SMTP server is a retryable delivery error', async () => {
    const email = new EmailIntegration({
      name: 'm',
      smtp_url: 'smtp://127.0.0.1:1',
      from: 'a@b.c',
      to: ['x@y.z'],
      send_resolved: true,
    });
    await expect(email.send(buildNotification('m', 'g', {}, [alert()], ''))).rejects.toMatchObject({
      retryable: true,
    });
  });
});

describe('webhook channel (real HTTP receiver)', () => {
  test('posts the Alertmanager v4 body with a signature the receiver can verify', async () => {
    const rx = await startHttpReceiver();
    const hook = new WebhookIntegration({
      name: 'pager-hook',
      url: `${rx.url}/alerts`,
      secret: 's3cret',
      headers: { 'x-team': 'infra' },
      timeout: 10_000,
      send_resolved: true,
    });
    try {
      await hook.send({
        ...buildNotification(
          'pager-hook',
          'route/0:{alertname="high_cpu_usage"}',
          { alertname: 'high_cpu_usage' },
          [alert()],
          'http://alerting.test',
        ),
        id: 5,
      });
      const got = rx.received[0];
      expect(
        verifySignature(
          's3cret',
          got.body,
          String(got.headers['x-aihub-signature']),
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(true);
      expect(
        verifySignature(
          'wrong',
          got.body,
          String(got.headers['x-aihub-signature']),
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(false);
      expect(
        verifySignature(
          's3cret',
          got.body + ' ',
          String(got.headers['x-aihub-signature']),
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(false);
      expect(got.headers['x-team']).toBe('infra');
      expect(got.headers['x-aihub-notification-id']).toBe('5');
      const body = JSON.parse(got.body);
      expect(body).toMatchObject({
        version: '4',
        status: 'firing',
        receiver: 'pager-hook',
        groupKey: 'route/0:{alertname="high_cpu_usage"}',
        groupLabels: { alertname: 'high_cpu_usage' },
        commonLabels: { alertname: 'high_cpu_usage', severity: 'critical' },
        truncatedAlerts: 0,
      });
      expect(body.alerts[0]).toMatchObject({
        status: 'firing',
        labels: { host: HOSTILE },
        startsAt: new Date(T).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'a1b2c3d4e5f60718',
        generatorURL: 'http://alerting.test/v1/incidents/7',
      });
    } finally {
      await rx.close();
    }
  });

  test('5xx and 429 are retryable (with Retry-After), other 4xx are not', async () => {
    const answers = [{ status: 503 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 400 }];
    const rx = await startHttpReceiver((n) => answers[n - 1]);
    const hook = new WebhookIntegration({
      name: 'h',
      url: rx.url,
      headers: {},
      timeout: 10_000,
      send_resolved: true,
    });
    const n = buildNotification('h', 'g', {}, [alert()], '');
    try {
      await expect(hook.send(n)).rejects.toMatchObject({ retryable: true });
      await expect(hook.send(n)).rejects.toMatchObject({ retryable: true, retryAfterMs: 7000 });
      await expect(hook.send(n)).rejects.toMatchObject({ retryable: false });
    } finally {
      await rx.close();
    }
  });

  test('a receiver slower than the timeout is a retryable failure', async () => {
    const http = await import('http');
    const server = http.createServer(() => undefined); // never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const hook = new WebhookIntegration({
      name: 'slow',
      url: `http://127.0.0.1:${port}`,
      headers: {},
      timeout: 300,
      send_resolved: true,
    });
    try {
      const err = await hook.send(buildNotification('slow', 'g', {}, [alert()], '')).catch((e) => e);
      expect(err).toBeInstanceOf(DeliveryError);
      expect(err).toMatchObject({ retryable: true, message: 'slow: timed out' });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('slack channel (real HTTP receiver)', () => {
  test('Block Kit message with mrkdwn escaping and the severity colour', () => {
    const msg = slackMessage(buildNotification('s', 'g', {}, [alert()], ''));
    const text = JSON.stringify(msg);
    expect(text).not.toContain('<script>');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('infra &amp; ops');
    expect(msg.attachments[0].color).toBe('#ff4444');
  });

  test('a 429 is a retryable failure carrying Retry-After, and the next send waits for it', async () => {
    const rx = await startHttpReceiver((n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const slack = new SlackIntegration({
      name: 'ops-slack',
      webhook_url: `${rx.url}/hook`,
      send_resolved: true,
    });
    const n = buildNotification('ops-slack', 'g', {}, [alert()], '');
    try {
      const first = Date.now();
      await expect(slack.send(n)).rejects.toMatchObject({ retryable: true, retryAfterMs: 1000 });
      await slack.send(n);
      expect(rx.received).toHaveLength(1);
      expect(rx.received[0].at - first).toBeGreaterThanOrEqual(950);
      expect(JSON.parse(rx.received[0].body).attachments[0].blocks[0].type).toBe('header');
    } finally {
      await rx.close();
    }
  });

  test('messages to one webhook are spaced at least one second apart', async () => {
    const rx = await startHttpReceiver();
    const slack = new SlackIntegration({ name: 's', webhook_url: rx.url, send_resolved: true });
    const n = buildNotification('s', 'g', {}, [alert()], '');
    try {
      await Promise.all([slack.send(n), slack.send(n), slack.send(n)]);
      const at = rx.received.map((r) => r.at);
      expect(at[1] - at[0]).toBeGreaterThanOrEqual(950);
      expect(at[2] - at[1]).toBeGreaterThanOrEqual(950);
    } finally {
      await rx.close();
    }
  });
});
