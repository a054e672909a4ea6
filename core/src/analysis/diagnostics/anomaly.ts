/**
 * Generic anomaly: the newest point is far outside its recent history (robust z-score against
 * the trailing baseline, see statistics.ts). Skips counters that only grow (epoch, step) and
 * the LLM rate signals, whose mostly-zero buckets have no spread to measure against — their
 * own detectors judge them.
 */
import { round } from '../curves';
import type { DiagnosticThresholds } from '../thresholds';
import type { Finding, SeriesStats } from '../types';

const SKIPPED = new Set([
  'training_epoch',
  'training_step',
  'epoch',
  'step',
  'llm_error_rate',
  'llm_cache_hit_rate',
]);

export function diagnoseAnomalies(stats: SeriesStats[], t: DiagnosticThresholds): Finding[] {
  const out: Finding[] = [];
  for (const s of stats) {
    if (SKIPPED.has(s.name) || s.count - s.non_finite < t.anomaly.minPoints) continue;
    const z = s.robust_z_last;
    if (z === null || Math.abs(z) < t.anomaly.zThreshold) continue;
    out.push({
      code: 'anomaly',
      severity: Math.abs(z) >= 2 * t.anomaly.zThreshold ? 'critical' : 'warning',
      title: `Unusual value of ${s.name}`,
      detail: `The latest value of ${s.name} (${s.last}) is ${round(Math.abs(z), 3)} robust standard deviations ${z > 0 ? 'above' : 'below'} its recent median (${s.median !== null ? round(s.median) : '?'} over the window).`,
      evidence: { last: s.last, robust_z: round(z), threshold: t.anomaly.zThreshold },
      series: [{ name: s.name, labels: s.labels }],
    });
  }
  return out;
}
