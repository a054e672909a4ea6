/**
 * What the LLM is told: the findings and compact statistics, never raw points. Bounded in
 * size (series, findings, label lengths) so a large context cannot blow the model's window,
 * and every externally supplied string is passed through boundText.
 */
import { round } from './curves';
import { groupTrainingRuns } from './diagnostics/training-runs';
import { boundLabels, boundText } from './untrusted-text';
import type { AnalysisKind, Finding, SeriesInput, SeriesStats } from './types';

export interface AnalysisContextInfo {
  run?: {
    run_id: string;
    model_name?: string | null;
    parameters?: number | null;
    last_epoch?: number | null;
    last_step?: number | null;
  };
  provider?: string;
  model?: string;
  from?: number;
  to?: number;
}

export interface FactsLimits {
  maxFindings: number;
  maxSeries: number;
}

export const DEFAULT_FACTS_LIMITS: FactsLimits = { maxFindings: 20, maxSeries: 40 };

const num = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? null : round(v);

export function buildFacts(
  input: {
    kind: AnalysisKind;
    findings: Finding[];
    stats: SeriesStats[];
    series?: SeriesInput[];
    context?: AnalysisContextInfo;
  },
  limits: FactsLimits = DEFAULT_FACTS_LIMITS,
): Record<string, unknown> {
  const { kind, findings, stats, context } = input;
  const facts: Record<string, unknown> = { kind };
  if (context) {
    facts.context = {
      ...(context.run
        ? {
            run: {
              run_id: boundText(context.run.run_id),
              model_name: context.run.model_name ? boundText(context.run.model_name) : null,
              parameters: context.run.parameters ?? null,
              last_epoch: context.run.last_epoch ?? null,
              last_step: context.run.last_step ?? null,
            },
          }
        : {}),
      ...(context.provider ? { provider: boundText(context.provider) } : {}),
      ...(context.model ? { model: boundText(context.model) } : {}),
      ...(context.from !== undefined ? { from: new Date(context.from).toISOString() } : {}),
      ...(context.to !== undefined ? { to: new Date(context.to).toISOString() } : {}),
    };
  }
  facts.findings = findings.slice(0, limits.maxFindings).map((f) => ({
    code: f.code,
    severity: f.severity,
    title: boundText(f.title, 200),
    detail: boundText(f.detail, 600),
    evidence: Object.fromEntries(
      Object.entries(f.evidence).map(([k, v]) => [
        k,
        typeof v === 'string' ? boundText(v) : typeof v === 'number' ? num(v) : v,
      ]),
    ),
    ...(f.series
      ? {
          series: f.series
            .slice(0, 4)
            .map((s) => ({ name: boundText(s.name), labels: boundLabels(s.labels) })),
        }
      : {}),
  }));
  if (findings.length > limits.maxFindings) facts.findings_omitted = findings.length - limits.maxFindings;
  if (input.series) {
    const snapshots = trainingSnapshots(input.series);
    if (snapshots.length) facts.training_snapshot = snapshots;
  }
  facts.series_stats = stats.slice(0, limits.maxSeries).map((s) => ({
    name: boundText(s.name),
    labels: boundLabels(s.labels),
    count: s.count,
    ...(s.non_finite ? { non_finite: s.non_finite } : {}),
    first: num(s.first),
    last: num(s.last),
    min: num(s.min),
    max: num(s.max),
    mean: num(s.mean),
    p95: num(s.p95),
    slope_per_hour: num(s.slope_per_hour),
    change_ratio: num(s.change_ratio),
    robust_z_last: num(s.robust_z_last),
  }));
  if (stats.length > limits.maxSeries) facts.series_omitted = stats.length - limits.maxSeries;
  return facts;
}

/** The original plan's prompt content per run: latest epoch, losses, accuracies, LR, GPU memory. */
function trainingSnapshots(series: SeriesInput[]): Record<string, unknown>[] {
  return groupTrainingRuns(series)
    .slice(0, 5)
    .map((run) => {
      const last = (m: keyof typeof run.metrics) => {
        const pts = run.metrics[m]?.points;
        for (let i = (pts?.length ?? 0) - 1; i >= 0; i--)
          if (Number.isFinite(pts![i][1])) return num(pts![i][1]);
        return null;
      };
      return {
        run_id: boundText(run.runId),
        epoch: last('epoch'),
        step: last('step'),
        train_loss: last('train_loss'),
        val_loss: last('val_loss'),
        train_accuracy: last('train_accuracy'),
        val_accuracy: last('val_accuracy'),
        learning_rate: last('learning_rate'),
        gradient_norm: last('gradient_norm'),
        gpu_memory_used_gb: last('gpu_memory_used_gb'),
        gpu_memory_total_gb: last('gpu_memory_total_gb'),
        training_speed: last('training_speed'),
      };
    });
}
