/**
 * The deterministic half of the analysis: statistics for every series, then the diagnostics
 * that fit the requested kind, then a generic anomaly check on whatever no diagnostic has
 * already explained, and `healthy` when nothing was found. Pass thresholds through
 * resolveThresholds(overrides) to change any of them.
 */
import { computeSeriesStats } from '../statistics';
import { DEFAULT_THRESHOLDS, type DiagnosticThresholds } from '../thresholds';
import type { AnalysisKind, Finding, SeriesInput, SeriesStats, Severity } from '../types';
import { diagnoseAnomalies } from './anomaly';
import { diagnoseLlmTraffic } from './llm-traffic';
import { diagnoseSystem } from './system';
import { diagnoseTrainingRun } from './training';
import { groupTrainingRuns } from './training-runs';

export interface DiagnosisResult {
  findings: Finding[];
  stats: SeriesStats[];
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

export function diagnose(
  series: SeriesInput[],
  kind: AnalysisKind = 'auto',
  t: DiagnosticThresholds = DEFAULT_THRESHOLDS,
): DiagnosisResult {
  const stats = series.map((s) => computeSeriesStats(s));
  const findings: Finding[] = [];
  if (kind === 'training' || kind === 'auto') {
    for (const run of groupTrainingRuns(series)) findings.push(...diagnoseTrainingRun(run, t));
  }
  if (kind === 'llm' || kind === 'auto') findings.push(...diagnoseLlmTraffic(series, t));
  if (kind === 'system' || kind === 'auto') findings.push(...diagnoseSystem(series, t));

  const explained = new Set(
    findings.flatMap((f) => (f.series ?? []).map((r) => seriesKey(r.name, r.labels))),
  );
  findings.push(
    ...diagnoseAnomalies(
      stats.filter((s) => !explained.has(seriesKey(s.name, s.labels))),
      t,
    ),
  );

  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  if (findings.length === 0) findings.push(healthyFinding(series, kind));
  return { findings, stats };
}

function seriesKey(name: string, labels: Record<string, string>): string {
  return JSON.stringify([name, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

function healthyFinding(series: SeriesInput[], kind: AnalysisKind): Finding {
  const points = series.reduce((n, s) => n + s.points.length, 0);
  return {
    code: 'healthy',
    severity: 'info',
    title: series.length ? 'No problems found' : 'No data to analyse',
    detail: series.length
      ? `${series.length} series (${points} points) checked${kind !== 'auto' ? ` as ${kind}` : ''}: nothing unusual.`
      : 'No series were given or found for this context, so there is nothing to judge yet.',
    evidence: { series: series.length, points },
  };
}
