import type { Incident, SilenceMatcher, SilenceRequest } from '../../api/types';

/** Parses "90m", "4h", "1d", "2h30m" into milliseconds; null when it is not a positive duration. */
export function parseDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)\s*(d|h|m)/g;
  const units: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000 };
  const compact = text.trim().toLowerCase();
  if (!compact || compact.replace(re, '').trim() !== '') {
    return null;
  }
  let total = 0;
  for (const match of compact.matchAll(re)) {
    total += parseFloat(match[1]) * units[match[2]];
  }
  return total > 0 ? total : null;
}

/** Matchers that select exactly this incident's alert instance: its rule name and every label. */
export function matchersFor(incident: Incident): SilenceMatcher[] {
  const matchers: SilenceMatcher[] = [];
  if (incident.rule_name) {
    matchers.push({ name: 'alertname', value: incident.rule_name });
  }
  for (const [name, value] of Object.entries(incident.labels)) {
    if (name !== 'alertname' || !incident.rule_name) {
      matchers.push({ name, value });
    }
  }
  return matchers;
}

export function buildSilence(
  incident: Incident,
  durationMs: number,
  comment: string,
  createdBy: string,
  now: number = Date.now()
): SilenceRequest {
  return {
    matchers: matchersFor(incident),
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + durationMs).toISOString(),
    comment: comment || `Silenced from Grafana for incident ${incident.id}`,
    createdBy,
  };
}
