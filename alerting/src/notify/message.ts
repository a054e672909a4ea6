import { topSeverity, type Alert } from '../types/alert';
import { type Notification } from '../types/notification';
import { formatValue } from '../types/value';

/** Severity colours of the original plan; green for resolved. */
export const SEVERITY_COLOURS: Record<string, string> = {
  critical: '#ff4444',
  warning: '#ffaa00',
  info: '#00aaff',
  resolved: '#2eb67d',
};

export function colourOf(n: Notification): string {
  return n.status === 'resolved'
    ? SEVERITY_COLOURS.resolved
    : (SEVERITY_COLOURS[topSeverity(n.alerts)] ?? SEVERITY_COLOURS.info);
}

/** "[CRITICAL] high_cpu_usage alert: system_cpu_usage_percent" (original plan), "[RESOLVED] …" when over. */
export function subjectOf(n: Notification): string {
  const tag = n.status === 'resolved' ? 'RESOLVED' : topSeverity(n.alerts).toUpperCase();
  const names = [...new Set(n.alerts.map((a) => a.labels.alertname))];
  const metrics = [...new Set(n.alerts.map((a) => a.annotations.metric).filter(Boolean))];
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  if (n.alerts.length === 1 || names.length === 1) {
    const count =
      n.alerts.length > 1 ? ` (${n.status === 'resolved' ? n.alerts.length : firing} series)` : '';
    return `[${tag}] ${names[0]} alert${metrics.length === 1 ? `: ${metrics[0]}` : ''}${count}`;
  }
  return `[${tag}] ${n.alerts.length} alerts: ${names.join(', ')}`;
}

export function alertSummary(a: Alert): string {
  return a.annotations.summary ?? a.annotations.description ?? `${a.labels.alertname} ${a.status}`;
}

/** Labels worth showing (alertname and severity are shown separately). */
export function shownLabels(a: Alert): [string, string][] {
  return Object.entries(a.labels).filter(([k]) => k !== 'alertname' && k !== 'severity');
}

export const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());

/** The plain-text form (email text part, console, file). */
export function plainText(n: Notification): string {
  const lines = [subjectOf(n), ''];
  for (const a of n.alerts) {
    lines.push(
      `${a.status.toUpperCase()} ${a.labels.alertname} [${a.labels.severity}] value=${formatValue(a.value)} since ${iso(a.startsAt)}${a.endsAt ? ` until ${iso(a.endsAt)}` : ''}`,
    );
    lines.push(`  ${alertSummary(a)}`);
    const labels = shownLabels(a).map(([k, v]) => `${k}=${v}`);
    if (labels.length) lines.push(`  labels: ${labels.join(', ')}`);
  }
  if (n.probableCause) lines.push('', `Probable cause: ${n.probableCause}`);
  if (n.externalURL) lines.push('', `Incidents: ${n.externalURL}`);
  return lines.join('\n');
}

/** What to do first, by the kind of alert (shown in emails, as the original plan asked). */
export function suggestedAction(a: Alert): string {
  const name = a.labels.alertname ?? '';
  if (/cpu/.test(name))
    return 'Find the busiest processes on the host and check for runaway jobs or missing capacity.';
  if (/memory/.test(name))
    return 'Look for leaking or oversized processes; consider restarting or adding memory.';
  if (/disk/.test(name))
    return 'Free space (logs, checkpoints, caches) or grow the volume before writes fail.';
  if (/response_time|latency/.test(name))
    return 'Check upstream dependencies and recent deploys; compare with the previous day.';
  if (/error/.test(name))
    return 'Inspect recent errors by type and provider; roll back a recent change if it correlates.';
  if (/cost/.test(name))
    return 'Check which users or models drive the spend; consider rate limits or cheaper models.';
  if (/overfitting/.test(name))
    return 'Add regularisation or data augmentation, or stop early at the best validation loss.';
  if (/diverg|exploding/.test(name))
    return 'Lower the learning rate, clip gradients, and resume from the last good checkpoint.';
  if (/vanishing/.test(name))
    return 'Check initialisation and activations; consider normalisation layers or a higher learning rate.';
  return 'Look at the series around the alert time and the incidents API for context.';
}
