/** Host diagnostics: GPU memory pressure per (host, gpu) from the stored system series. */
import type { DiagnosticThresholds } from '../thresholds';
import type { Finding, SeriesInput } from '../types';
import { boundText } from '../untrusted-text';
import { memoryPressureFinding } from './training';

export function diagnoseSystem(series: SeriesInput[], t: DiagnosticThresholds): Finding[] {
  const key = (s: SeriesInput) => JSON.stringify([s.labels.host ?? '', s.labels.gpu ?? '']);
  const totals = new Map(
    series.filter((s) => s.name === 'system_gpu_memory_total_bytes').map((s) => [key(s), s]),
  );
  const out: Finding[] = [];
  for (const used of series.filter((s) => s.name === 'system_gpu_memory_used_bytes')) {
    const total = totals.get(key(used));
    if (!total) continue;
    const totalValues = total.points.filter((p) => Number.isFinite(p[1]));
    const f = memoryPressureFinding(
      used.points.filter((p) => Number.isFinite(p[1])).map((p) => p[1] / 1e9),
      totalValues.length ? totalValues[totalValues.length - 1][1] / 1e9 : NaN,
      t,
      `GPU ${boundText(used.labels.gpu ?? '?', 16)} on host "${boundText(used.labels.host ?? '?', 80)}"`,
      [
        { name: used.name, labels: used.labels },
        { name: total.name, labels: total.labels },
      ],
      'GB',
    );
    if (f) out.push(f);
  }
  return out;
}
