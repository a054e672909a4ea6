/**
 * Per-series statistics with simple-statistics. Non-finite values (a diverged loss) are
 * counted separately and left out of every other figure, so one NaN cannot poison a mean.
 */
import {
  linearRegression,
  mean,
  medianSorted,
  minSorted,
  maxSorted,
  quantileSorted,
  standardDeviation,
} from 'simple-statistics';
import type { Point, SeriesInput, SeriesStats } from './types';

/** MAD × 1.4826 estimates σ for normal data; the usual robust z-score constant. */
const MAD_TO_SIGMA = 1.4826;
/** Mean absolute deviation × 1.2533 estimates σ; the fallback when half the baseline is one value. */
const MEANAD_TO_SIGMA = 1.253314;
/** Robust z-scores are reported within ±Z_CAP so that a flat baseline stays JSON-representable. */
export const Z_CAP = 1000;
const HOUR_MS = 3_600_000;

export interface StatisticsOptions {
  /** How many points before the last one form the baseline of its robust z-score. */
  baselinePoints: number;
}

export const DEFAULT_STATISTICS_OPTIONS: StatisticsOptions = { baselinePoints: 60 };

/** Points sorted by time with finite values only. */
export function finitePoints(points: Point[]): Point[] {
  return points.filter((p) => Number.isFinite(p[1]));
}

export function sortByTime(points: Point[]): Point[] {
  for (let i = 1; i < points.length; i++) {
    if (points[i][0] < points[i - 1][0]) return [...points].sort((a, b) => a[0] - b[0]);
  }
  return points;
}

/**
 * Robust z-score of `value` against `baseline`: (value − median) / (1.4826·MAD), falling back
 * to the mean absolute deviation when the MAD is 0, and to ±Z_CAP when the baseline is flat
 * and the value differs from it. Null with fewer than 5 baseline values.
 */
export function robustZ(value: number, baseline: number[]): number | null {
  if (baseline.length < 5 || !Number.isFinite(value)) return null;
  const sorted = [...baseline].sort((a, b) => a - b);
  const med = medianSorted(sorted);
  const deviations = sorted.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  let scale = MAD_TO_SIGMA * medianSorted(deviations);
  if (scale === 0) scale = MEANAD_TO_SIGMA * mean(deviations);
  const diff = value - med;
  if (diff === 0) return 0;
  // A flat baseline still leaves room for float noise: 1e-9 of the level is "no change".
  if (scale === 0) return Math.abs(diff) <= 1e-9 * Math.abs(med) ? 0 : Math.sign(diff) * Z_CAP;
  return Math.max(-Z_CAP, Math.min(Z_CAP, diff / scale));
}

export function computeSeriesStats(
  series: SeriesInput,
  options: StatisticsOptions = DEFAULT_STATISTICS_OPTIONS,
): SeriesStats {
  const ordered = sortByTime(series.points);
  const finite = finitePoints(ordered);
  const base: SeriesStats = {
    name: series.name,
    labels: series.labels,
    count: ordered.length,
    non_finite: ordered.length - finite.length,
    mean: null,
    median: null,
    std: null,
    min: null,
    max: null,
    p95: null,
    p99: null,
    slope_per_hour: null,
    last: null,
    first: null,
    change: null,
    change_ratio: null,
    robust_z_last: null,
    from: ordered.length ? ordered[0][0] : null,
    to: ordered.length ? ordered[ordered.length - 1][0] : null,
  };
  if (finite.length === 0) return base;

  const values = finite.map((p) => p[1]);
  // A Float64Array sorts numerically and natively; simple-statistics only indexes it.
  const sorted = Float64Array.from(values).sort() as unknown as number[];
  const first = values[0];
  const last = values[values.length - 1];
  const t0 = finite[0][0];
  let slope: number | null = null;
  if (finite.length >= 2 && finite[finite.length - 1][0] > t0) {
    const reg = linearRegression(finite.map((p) => [(p[0] - t0) / HOUR_MS, p[1]]));
    slope = Number.isFinite(reg.m) ? reg.m : null;
  }
  const baseline = values.slice(Math.max(0, values.length - 1 - options.baselinePoints), values.length - 1);
  return {
    ...base,
    mean: mean(values),
    median: medianSorted(sorted),
    std: values.length >= 2 ? standardDeviation(values) : 0,
    min: minSorted(sorted),
    max: maxSorted(sorted),
    p95: quantileSorted(sorted, 0.95),
    p99: quantileSorted(sorted, 0.99),
    slope_per_hour: slope,
    last,
    first,
    change: last - first,
    change_ratio: first !== 0 ? (last - first) / Math.abs(first) : null,
    robust_z_last: robustZ(last, baseline),
  };
}
