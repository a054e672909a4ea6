import type { Labels } from '../types/labels';

export const INCIDENT_STATUSES = ['active', 'acknowledged', 'suppressed', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** One episode of an alert: opened when it fires, resolved when it stops. */
export interface Incident {
  id: number;
  fingerprint: string;
  rule: string;
  severity: string;
  labels: Labels;
  annotations: Record<string, string>;
  status: IncidentStatus;
  triggerValue: number | null;
  lastValue: number | null;
  triggeredAt: number;
  resolvedAt: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  notes: string | null;
}

/** The API's JSON shape (snake_case, RFC 3339 times). */
export function incidentJson(i: Incident) {
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return {
    id: i.id,
    fingerprint: i.fingerprint,
    rule: i.rule,
    severity: i.severity,
    status: i.status,
    labels: i.labels,
    annotations: i.annotations,
    trigger_value: i.triggerValue,
    last_value: i.lastValue,
    triggered_at: iso(i.triggeredAt),
    resolved_at: iso(i.resolvedAt),
    acknowledged_at: iso(i.acknowledgedAt),
    acknowledged_by: i.acknowledgedBy,
    notes: i.notes,
  };
}
