import type { Alert } from '../types/alert';
import type { Notification } from '../types/notification';
import { formatValue } from '../types/value';
import type { Integration } from './integration';
import { postOrThrow } from './http-post';
import { SentParts } from './sent-parts';

export interface SmsChannel {
  name: string;
  /** Base URL of the Twilio-compatible API (default https://api.twilio.com). */
  api_url: string;
  account_sid: string;
  auth_token: string;
  from: string;
  to: string[];
  timeout: number;
  send_resolved: boolean;
}

/** One SMS segment. */
export const SMS_MAX_CHARS = 160;

const critical = (a: Alert) => a.labels.severity === 'critical';

/** The link of a notification: its first incident under externalURL, else externalURL itself. */
function linkOf(n: Notification, alerts: Alert[]): string {
  if (!n.externalURL) return '';
  const base = n.externalURL.replace(/\/$/, '');
  return alerts.length === 1 ? `${base}/v1/incidents/${alerts[0].incidentId}` : base;
}

/**
 * "[CRITICAL] high_cpu_usage 97.5 host=gpu-01 http://…/v1/incidents/7" in at most 160
 * characters: severity, rule and value first, then labels, the probable cause when it fits,
 * and the link always whole (the text in front of it is cut, never the link).
 */
export function smsText(n: Notification): string {
  const alerts = n.alerts.filter(critical);
  const resolved = n.status === 'resolved';
  const tag = resolved ? '[RESOLVED]' : '[CRITICAL]';
  const names = [...new Set(alerts.map((a) => a.labels.alertname))];
  const first = alerts[0];
  const head =
    alerts.length === 1
      ? `${tag} ${first.labels.alertname} ${formatValue(first.value)}`
      : `${tag} ${alerts.length} alerts: ${names.join(', ')}`;
  const labels =
    alerts.length === 1
      ? Object.entries(first.labels)
          .filter(([k]) => !['alertname', 'severity'].includes(k))
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')
      : '';
  const link = linkOf(n, alerts);
  const room = SMS_MAX_CHARS - (link ? link.length + 1 : 0);
  let text = [head, labels].filter(Boolean).join(' ');
  if (n.probableCause && !resolved && text.length + n.probableCause.length + 3 <= room)
    text += ` - ${n.probableCause}`;
  if (text.length > room) text = `${text.slice(0, Math.max(0, room - 1))}…`;
  return link ? `${text} ${link}`.slice(0, SMS_MAX_CHARS) : text;
}

/**
 * SMS for critical alerts only, through a Twilio-compatible API: one
 * `POST /2010-04-01/Accounts/{sid}/Messages.json` per recipient, basic auth, form body. A
 * notification without a critical alert sends nothing. A retry skips recipients already reached.
 */
export class SmsIntegration implements Integration {
  readonly type = 'sms';
  readonly name: string;
  readonly sendResolved: boolean;
  private readonly sent = new SentParts();

  constructor(private readonly cfg: SmsChannel) {
    this.name = cfg.name;
    this.sendResolved = cfg.send_resolved;
  }

  async send(n: Notification): Promise<void> {
    if (!n.alerts.some(critical)) return;
    const url = `${this.cfg.api_url.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(this.cfg.account_sid)}/Messages.json`;
    const auth = Buffer.from(`${this.cfg.account_sid}:${this.cfg.auth_token}`).toString('base64');
    const body = smsText(n);
    for (const to of this.cfg.to) {
      if (this.sent.has(n.id, to)) continue;
      await postOrThrow(this.name, url, {
        headers: {
          authorization: `Basic ${auth}`,
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'aihub-alerting',
        },
        body: new URLSearchParams({ To: to, From: this.cfg.from, Body: body }).toString(),
        timeoutMs: this.cfg.timeout,
      });
      this.sent.add(n.id, to);
    }
    this.sent.done(n.id);
  }
}
