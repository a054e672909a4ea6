import { z } from 'zod';
import { requestJson } from './proxy';
import {
  budgetsSchema,
  incidentsSchema,
  rulesSchema,
  type Budget,
  type Incident,
  type Rule,
  type SilenceRequest,
} from './types';

export interface IncidentFilter {
  status?: string;
  severity?: string;
}

export function listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
  const params: Record<string, string> = {};
  if (filter.status) {
    params.status = filter.status;
  }
  if (filter.severity) {
    params.severity = filter.severity;
  }
  return requestJson('alerting', '/v1/incidents', incidentsSchema, { params });
}

export async function ackIncident(id: string, by?: string): Promise<void> {
  await requestJson('alerting', `/v1/incidents/${encodeURIComponent(id)}/ack`, z.unknown(), {
    method: 'POST',
    data: by ? { by } : {},
  });
}

/** The alerting API takes Alertmanager-style matchers and snake_case times; this is the one place that maps them. */
export async function createSilence(silence: SilenceRequest): Promise<void> {
  await requestJson('alerting', '/v1/silences', z.unknown(), {
    method: 'POST',
    data: {
      matchers: silence.matchers.map((m) => ({ name: m.name, value: m.value, is_regex: Boolean(m.isRegex) })),
      starts_at: silence.startsAt,
      ends_at: silence.endsAt,
      comment: silence.comment,
      created_by: silence.createdBy,
    },
  });
}

export function listRules(): Promise<Rule[]> {
  return requestJson('alerting', '/v1/rules', rulesSchema);
}

/** Budgets with where they stand this period, the top `instances` spenders of each. */
export function listBudgets(instances = 5): Promise<Budget[]> {
  return requestJson('alerting', '/v1/budgets', budgetsSchema, {
    params: { include: 'status', instances: String(instances) },
  });
}
