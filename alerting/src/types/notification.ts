import { commonOf, type Alert } from './alert';
import type { Labels } from './labels';

/** What one channel receives: a group of alerts (the outbox payload). */
export interface Notification {
  /** Outbox row id: unique per notification, sent as X-AIHub-Notification-Id so receivers can dedupe. */
  id?: number;
  receiver: string;
  status: 'firing' | 'resolved';
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Alert[];
  /** Optional one-paragraph probable cause from the collector's /v1/analyze. */
  probableCause?: string;
}

/** Builds a channel's notification for a group of alerts. */
export function buildNotification(
  receiver: string,
  groupKey: string,
  groupLabels: Labels,
  alerts: Alert[],
  externalURL: string,
): Notification {
  return {
    receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    groupKey,
    groupLabels,
    commonLabels: commonOf(alerts.map((a) => a.labels)),
    commonAnnotations: commonOf(alerts.map((a) => a.annotations)),
    externalURL,
    alerts,
  };
}
