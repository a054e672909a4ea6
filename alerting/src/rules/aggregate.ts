import type { Aggregation } from '@aihub/core';

/** Aggregations computed in JS over raw [ms, value] points (same meaning as core's SQL ones). */
export function aggregatePoints(agg: Aggregation, points: readonly [number, number][]): number | null {
  if (points.length === 0) return agg === 'count' ? 0 : null;
  const values = points.map((p) => p[1]);
  switch (agg) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return values.reduce((a, b) => (b < a || Number.isNaN(b) ? b : a));
    case 'max':
      return values.reduce((a, b) => (b > a || Number.isNaN(b) ? b : a));
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'count':
      return values.length;
    case 'last':
      return values[values.length - 1];
    case 'p95': {
      // percentile_cont(0.95): linear interpolation between closest ranks
      const sorted = [...values].sort((a, b) => a - b);
      const pos = (sorted.length - 1) * 0.95;
      const lo = Math.floor(pos);
      const hi = Math.min(lo + 1, sorted.length - 1);
      return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
    case 'rate': {
      if (points.length < 2) return null;
      const [t0, v0] = points[0];
      const [t1, v1] = points[points.length - 1];
      return t1 > t0 ? (v1 - v0) / ((t1 - t0) / 1000) : null;
    }
  }
}
