import nodemailer, { type Transporter } from 'nodemailer';
import type { Notification } from '../types/notification';
import { formatValue } from '../types/value';
import { escapeHtml as e } from './escape';
import { DeliveryError, type Integration } from './integration';
import { alertSummary, colourOf, iso, plainText, shownLabels, subjectOf, suggestedAction } from './message';

export interface EmailChannel {
  name: string;
  smtp_url: string;
  from: string;
  to: string[];
  send_resolved: boolean;
}

/** The HTML body: a severity colour band, one table row per alert, suggested actions. Every value is escaped. */
export function emailHtml(n: Notification): string {
  const rows = n.alerts
    .map((a) => {
      const labels = shownLabels(a)
        .map(([k, v]) => `${e(k)}=${e(v)}`)
        .join('<br>');
      return `<tr>
<td style="padding:6px;border:1px solid #ddd">${e(a.status)}</td>
<td style="padding:6px;border:1px solid #ddd"><b>${e(a.labels.alertname ?? '')}</b><br>${e(alertSummary(a))}</td>
<td style="padding:6px;border:1px solid #ddd">${e(a.annotations.metric ?? '')}</td>
<td style="padding:6px;border:1px solid #ddd">${e(formatValue(a.value))}</td>
<td style="padding:6px;border:1px solid #ddd">${e(a.labels.severity ?? '')}</td>
<td style="padding:6px;border:1px solid #ddd">${e(iso(a.startsAt))}${a.endsAt ? `<br>resolved ${e(iso(a.endsAt))}` : ''}</td>
<td style="padding:6px;border:1px solid #ddd">${labels}</td>
</tr>`;
    })
    .join('\n');
  const actions = [...new Set(n.alerts.filter((a) => a.status === 'firing').map(suggestedAction))]
    .map((s) => `<li>${e(s)}</li>`)
    .join('');
  return `<!doctype html>
<html><body style="font-family:Arial,Helvetica,sans-serif;margin:0">
<div style="background:${colourOf(n)};color:#fff;padding:12px 16px;font-size:18px;font-weight:bold">${e(subjectOf(n))}</div>
<div style="padding:16px">
<table style="border-collapse:collapse;font-size:13px">
<tr><th align="left">Status</th><th align="left">Alert</th><th align="left">Metric</th><th align="left">Value</th><th align="left">Severity</th><th align="left">Time</th><th align="left">Labels</th></tr>
${rows}
</table>
${actions ? `<h3>Suggested actions</h3><ul>${actions}</ul>` : ''}
${n.probableCause ? `<h3>Probable cause</h3><p>${e(n.probableCause)}</p>` : ''}
${n.externalURL ? `<p><a href="${e(n.externalURL)}">Open incidents</a></p>` : ''}
</div></body></html>`;
}

/** Email through any SMTP server (nodemailer), HTML plus a text part. */
export class EmailIntegration implements Integration {
  readonly type = 'email';
  readonly name: string;
  readonly sendResolved: boolean;
  private readonly transport: Transporter;

  constructor(private readonly cfg: EmailChannel) {
    this.name = cfg.name;
    this.sendResolved = cfg.send_resolved;
    this.transport = nodemailer.createTransport(cfg.smtp_url, {
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 15_000,
    });
  }

  async send(n: Notification): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.cfg.from,
        to: this.cfg.to,
        subject: subjectOf(n),
        text: plainText(n),
        html: emailHtml(n),
        headers: n.id !== undefined ? { 'X-AIHub-Notification-Id': String(n.id) } : {},
      });
    } catch (err) {
      const code = (err as { responseCode?: number }).responseCode;
      // 5xx SMTP replies are permanent (bad address, rejected); everything else may pass later.
      throw new DeliveryError(
        `${this.name}: ${(err as Error).message}`,
        !(code && code >= 500 && code < 600),
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
