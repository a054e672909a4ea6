import crypto from 'crypto';
import type { Notification } from '../types/notification';
import { postOrThrow } from './http-post';
import type { Integration } from './integration';

export interface WebhookChannel {
  name: string;
  url: string;
  secret?: string;
  headers: Record<string, string>;
  timeout: number;
  send_resolved: boolean;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Alertmanager's webhook body, version 4 (what Alertmanager receivers already parse). */
export function alertmanagerBody(n: Notification) {
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    alerts: n.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: new Date(a.startsAt).toISOString(),
      endsAt: a.endsAt === null ? ZERO_TIME : new Date(a.endsAt).toISOString(),
      generatorURL: n.externalURL ? `${n.externalURL.replace(/\/$/, '')}/v1/incidents/${a.incidentId}` : '',
      fingerprint: a.fingerprint,
      value: a.value,
    })),
    ...(n.probableCause ? { probableCause: n.probableCause } : {}),
  };
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (DESIGN.md). */
export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = crypto.createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Verifies a signature header against a body (for receivers and tests); tolerance in seconds. */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signBody(secret, body, t).split('v1=')[1], 'hex');
  return crypto.timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

/** HTTP POST of the Alertmanager v4 body, HMAC-signed when a secret is set, 10 s timeout by default. */
export class WebhookIntegration implements Integration {
  readonly type = 'webhook';
  readonly name: string;
  readonly sendResolved: boolean;

  constructor(
    private readonly cfg: WebhookChannel,
    private readonly now: () => number = Date.now,
  ) {
    this.name = cfg.name;
    this.sendResolved = cfg.send_resolved;
  }

  async send(n: Notification): Promise<void> {
    const body = JSON.stringify(alertmanagerBody(n));
    const headers: Record<string, string> = {
      ...this.cfg.headers,
      'content-type': 'application/json',
      'user-agent': 'aihub-alerting',
    };
    if (n.id !== undefined) headers['x-aihub-notification-id'] = String(n.id);
    if (this.cfg.secret)
      headers['x-aihub-signature'] = signBody(this.cfg.secret, body, Math.floor(this.now() / 1000));
    await postOrThrow(this.name, this.cfg.url, { headers, body, timeoutMs: this.cfg.timeout });
  }
}
