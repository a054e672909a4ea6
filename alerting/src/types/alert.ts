import type { Labels } from './labels';

/** An alert as the dispatcher and the channels see it (one incident, firing or resolved). */
export interface Alert {
  fingerprint: string;
  incidentId: number;
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Record<string, string>;
  value: number | null;
  startsAt: number;
  endsAt: number | null;
  acknowledged: boolean;
  /** Announced once, never repeated after repeat_interval (budget thresholds: once per period). */
  notifyOnce?: boolean;
}

const SEVERITY_ORDER: Record<string, number> = { critical: 3, warning: 2, info: 1 };

/** The most severe severity among firing alerts (else among all). */
export function topSeverity(alerts: Alert[]): string {
  const pool = alerts.some((a) => a.status === 'firing')
    ? alerts.filter((a) => a.status === 'firing')
    : alerts;
  let best = 'info';
  for (const a of pool)
    if ((SEVERITY_ORDER[a.labels.severity] ?? 0) > (SEVERITY_ORDER[best] ?? 0)) best = a.labels.severity;
  return best;
}

/** Labels (or annotations) that every alert shares. */
export function commonOf(maps: Record<string, string>[]): Record<string, string> {
  if (!maps.length) return {};
  const out: Record<string, string> = { ...maps[0] };
  for (const m of maps.slice(1)) for (const k of Object.keys(out)) if (m[k] !== out[k]) delete out[k];
  return out;
}
