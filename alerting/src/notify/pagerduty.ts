import type { Alert } from '../types/alert';
import type { Notification } from '../types/notification';
import type { Integration } from './integration';
import { postOrThrow } from './http-post';
import { alertSummary } from './message';
import { SentParts } from './sent-parts';

export interface PagerDutyChannel {
  name: string;
  /** Events API v2 endpoint (default https://events.pagerduty.com/v2/enqueue). */
  url: string;
  routing_key: string;
  timeout: number;
  send_resolved: boolean;
}

const PD_SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** One Events API v2 event: trigger for a firing alert, resolve for a resolved one, keyed by fingerprint. */
export function pagerDutyEvent(n: Notification, a: Alert, routingKey: string) {
  const link = n.externalURL ? `${n.externalURL.replace(/\/$/, '')}/v1/incidents/${a.incidentId}` : undefined;
  if (a.status === 'resolved')
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: a.fingerprint };
  const severity = PD_SEVERITIES.has(a.labels.severity) ? a.labels.severity : 'warning';
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: a.fingerprint,
    payload: {
      summary: alertSummary(a).slice(0, 1024),
      source: a.labels.host ?? a.labels.run_id ?? a.labels.model ?? 'aihub-alerting',
      severity,
      timestamp: new Date(a.startsAt).toISOString(),
      component: a.labels.model ?? a.labels.run_id,
      group: a.labels.team,
      class: a.labels.alertname,
      custom_details: {
        labels: a.labels,
        annotations: a.annotations,
        value: a.value,
        ...(n.probableCause ? { probable_cause: n.probableCause } : {}),
      },
    },
    client: 'AI Hub alerting',
    ...(link ? { client_url: link, links: [{ href: link, text: 'Incident' }] } : {}),
  };
}

/**
 * PagerDuty Events API v2: one event per alert (PagerDuty groups by dedup_key = fingerprint, so a
 * repeated trigger is folded into its open incident). A retry skips events already accepted.
 */
export class PagerDutyIntegration implements Integration {
  readonly type = 'pagerduty';
  readonly name: string;
  readonly sendResolved: boolean;
  private readonly sent = new SentParts();

  constructor(private readonly cfg: PagerDutyChannel) {
    this.name = cfg.name;
    this.sendResolved = cfg.send_resolved;
  }

  async send(n: Notification): Promise<void> {
    for (const a of n.alerts) {
      const part = `${a.fingerprint}:${a.status}`;
      if (this.sent.has(n.id, part)) continue;
      await postOrThrow(this.name, this.cfg.url, {
        headers: { 'content-type': 'application/json', 'user-agent': 'aihub-alerting' },
        body: JSON.stringify(pagerDutyEvent(n, a, this.cfg.routing_key)),
        timeoutMs: this.cfg.timeout,
      });
      this.sent.add(n.id, part);
    }
    this.sent.done(n.id);
  }
}
