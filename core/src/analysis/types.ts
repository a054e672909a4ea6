/**
 * The analysis vocabulary shared by the collector, the alerting service and the Grafana
 * plugin (which imports these types only). Codes and shapes are contracts: DESIGN.md "Analysis".
 */

export const FINDING_CODES = [
  'overfitting',
  'divergence',
  'plateau',
  'lr_too_high',
  'vanishing_gradients',
  'exploding_gradients',
  'gpu_memory_pressure',
  'throughput_drop',
  'llm_error_spike',
  'latency_regression',
  'cost_spike',
  'low_cache_hit_rate',
  'anomaly',
  'healthy',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'info' | 'warning' | 'critical';

export type AnalysisKind = 'training' | 'llm' | 'system' | 'auto';

/** Which series a finding is about: its name and labels as stored. */
export interface SeriesRef {
  name: string;
  labels: Record<string, string>;
}

export interface Finding {
  code: FindingCode;
  severity: Severity;
  title: string;
  /** One or two plain-language sentences a user can act on. */
  detail: string;
  /** The numbers the finding rests on (finite numbers, strings or booleans only). */
  evidence: Record<string, number | string | boolean | null>;
  series?: SeriesRef[];
}

/** A point: epoch milliseconds and a value (NaN/±Infinity allowed: a diverged loss is data). */
export type Point = [number, number];

export interface SeriesInput {
  name: string;
  labels: Record<string, string>;
  points: Point[];
}

/** Statistics of one series over the analysed window (see statistics.ts for definitions). */
export interface SeriesStats {
  name: string;
  labels: Record<string, string>;
  count: number;
  /** Points whose value was NaN or ±Infinity; excluded from every other statistic. */
  non_finite: number;
  mean: number | null;
  median: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  p95: number | null;
  p99: number | null;
  /** Least-squares slope in value units per hour. */
  slope_per_hour: number | null;
  last: number | null;
  first: number | null;
  /** last − first. */
  change: number | null;
  /** (last − first) / |first|; null when first is 0. */
  change_ratio: number | null;
  /** Robust z-score of the last point against the trailing baseline (median/MAD). */
  robust_z_last: number | null;
  from: number | null;
  to: number | null;
}
