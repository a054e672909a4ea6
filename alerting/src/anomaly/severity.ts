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
export function severityFromHistory(value: number, history: readonly number[]): { severity: Severity; context: SeverityContext } {
  const finite = history.filter(Number.isFinite);
  const n = finite.length;
  const sorted = [...finite].sort((a, b) => a - b);
  const mean = n ? finite.reduce((a, b) => a + b, 0) / n : NaN;
  const std = n ? Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : NaN;
  let atOrBelow = 0;
  for (const x of sorted) if (x <= value) atOrBelow++;
  const context: SeverityContext = {
    historicalMean: mean,
    historicalStd: std,
    percentile: n ? (100 * atOrBelow) / n : NaN,
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
