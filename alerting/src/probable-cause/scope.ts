import type { Notification } from '../types/notification';

/** What to ask the collector's /v1/analyze about: a training run, or an LLM provider/model. */
export type AnalysisScope = { run_id: string } | { provider?: string; model?: string };

/** The scope of a notification's first firing alert that names a run or a provider/model. */
export function scopeOf(n: Notification): AnalysisScope | null {
  const alerts = n.alerts.filter((a) => a.status === 'firing');
  for (const a of alerts) if (a.labels.run_id) return { run_id: a.labels.run_id };
  for (const a of alerts)
    if (a.labels.provider || a.labels.model)
      return {
        ...(a.labels.provider ? { provider: a.labels.provider } : {}),
        ...(a.labels.model ? { model: a.labels.model } : {}),
      };
  return null;
}

export const scopeKey = (s: AnalysisScope) => JSON.stringify(s);
