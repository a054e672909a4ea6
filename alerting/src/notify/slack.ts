import { IncomingWebhook, type IncomingWebhookSendArguments } from '@slack/webhook';
import type { Notification } from '../types/notification';
import { formatValue } from '../types/value';
import { escapeSlack as e } from './escape';
import { DeliveryError, httpFailure, type Integration } from './integration';
import { alertSummary, colourOf, iso, shownLabels, subjectOf } from './message';

export interface SlackChannel {
  name: string;
  webhook_url: string;
  channel?: string;
  username?: string;
  send_resolved: boolean;
}

const MAX_ALERTS_SHOWN = 20;

/** Block Kit message in an attachment coloured by severity; every interpolated value is mrkdwn-escaped. */
export function slackMessage(n: Notification, cfg: Pick<SlackChannel, 'channel' | 'username'> = {}) {
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: subjectOf(n).slice(0, 150) } },
  ];
  for (const a of n.alerts.slice(0, MAX_ALERTS_SHOWN)) {
    const labels = shownLabels(a)
      .map(([k, v]) => `${e(k)}=${e(v)}`)
      .join(', ');
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${e(a.labels.alertname ?? '')}* ${e(alertSummary(a))}` },
      fields: [
        { type: 'mrkdwn', text: `*Metric*\n${e(a.annotations.metric ?? '-')}` },
        { type: 'mrkdwn', text: `*Value*\n${e(formatValue(a.value))}` },
        { type: 'mrkdwn', text: `*Severity*\n${e(a.labels.severity ?? '')}` },
        {
          type: 'mrkdwn',
          text: `*${a.status === 'resolved' ? 'Resolved' : 'Since'}*\n${e(iso(a.status === 'resolved' ? a.endsAt : a.startsAt))}`,
        },
      ],
    });
    if (labels) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: labels }] });
  }
  if (n.alerts.length > MAX_ALERTS_SHOWN) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${n.alerts.length - MAX_ALERTS_SHOWN} more` }],
    });
  }
  if (n.probableCause)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Probable cause*\n${e(n.probableCause)}` },
    });
  return {
    text: e(subjectOf(n)),
    ...(cfg.channel ? { channel: cfg.channel } : {}),
    ...(cfg.username ? { username: cfg.username } : {}),
    attachments: [{ color: colourOf(n), blocks }],
  };
}

/**
 * Slack incoming webhook (@slack/webhook). At most one message per second per webhook
 * (Slack's limit); a 429 pushes the next attempt back by its Retry-After.
 */
export class SlackIntegration implements Integration {
  readonly type = 'slack';
  readonly name: string;
  readonly sendResolved: boolean;
  private readonly hook: IncomingWebhook;
  private nextSlotAt = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly cfg: SlackChannel,
    private readonly now: () => number = Date.now,
  ) {
    this.name = cfg.name;
    this.sendResolved = cfg.send_resolved;
    this.hook = new IncomingWebhook(cfg.webhook_url, { timeout: 10_000 });
  }

  send(n: Notification): Promise<void> {
    // Serialised per webhook so the one-per-second spacing holds under parallel deliveries.
    const run = this.queue.then(() => this.sendSpaced(n));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async sendSpaced(n: Notification): Promise<void> {
    const wait = this.nextSlotAt - this.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    this.nextSlotAt = this.now() + 1000;
    try {
      await this.hook.send(slackMessage(n, this.cfg) as IncomingWebhookSendArguments);
    } catch (err) {
      const res = (err as { original?: { response?: { status: number; headers?: Record<string, string> } } })
        .original?.response;
      if (res) {
        const failure = httpFailure(this.name, res.status, res.headers?.['retry-after']);
        if (failure.retryAfterMs)
          this.nextSlotAt = Math.max(this.nextSlotAt, this.now() + failure.retryAfterMs);
        throw failure;
      }
      throw new DeliveryError(`${this.name}: ${(err as Error).message}`, true);
    }
  }
}
