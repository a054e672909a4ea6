export type Severity = 'critical' | 'warning' | 'info';

/** What an alert says about the value against its series' history (the original plan's context). */
export interface SeverityContext {
  historicalMean: number;
  historicalStd: number;
  /** Share of the history at or below the value, 0–100. */
  percentile: number;
  p1: number;
  p5: number;
  p95: number;
  p99: number;
  count: number;
}

/** Fewer points than this and the history is too thin to judge (original plan: 10). */
export const MIN_SEVERITY_HISTORY = 10;

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Severity `auto`: beyond the history's 99th percentile critical, beyond the 95th warning,
 * else info — on either side (below the 1st/5th percentile counts too: a throughput that
 * drops to zero is as alarming as one that spikes). Fewer than 10 points of history: info.
 */
export function severityFromHistory(
  value: number,
  history: readonly number[],
): { severity: Severity; context: SeverityContext } {
  return severityFromSortedHistory(
    value,
    history.filter(Number.isFinite).sort((a, b) => a - b),
  );
}

/** severityFromHistory for a history already sorted ascending (the streaming detector keeps one). */
export function severityFromSortedHistory(
  value: number,
  sorted: readonly number[],
): { severity: Severity; context: SeverityContext } {
  const n = sorted.length;
  let sum = 0;
  for (const x of sorted) sum += x;
  const mean = n ? sum / n : NaN;
  let ss = 0;
  for (const x of sorted) ss += (x - mean) ** 2;
  const std = n ? Math.sqrt(ss / n) : NaN;
  // Binary search: how many history values are ≤ value.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  const context: SeverityContext = {
    historicalMean: mean,
    historicalStd: std,
    percentile: n ? (100 * lo) / n : NaN,
    p1: n ? quantile(sorted, 0.01) : NaN,
    p5: n ? quantile(sorted, 0.05) : NaN,
    p95: n ? quantile(sorted, 0.95) : NaN,
    p99: n ? quantile(sorted, 0.99) : NaN,
    count: n,
  };
  if (n < MIN_SEVERITY_HISTORY) return { severity: 'info', context };
  if (value > context.p99 || value < context.p1) return { severity: 'critical', context };
  if (value > context.p95 || value < context.p5) return { severity: 'warning', context };
  return { severity: 'info', context };
}
