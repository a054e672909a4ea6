/**
 * The latency sketch behind rolled-up p95s: counts per logarithmic bucket of ln(1 + ms), 40
 * buckets per e-fold (each about 2.5 % wide) up to ln(1 + ms) = 16 (about 2.5 hours); slower
 * requests fall into one overflow bucket. The same SQL expression fills the histogram tables
 * on every driver and classifies the raw rows at a range's edges, so the two always agree.
 */
export const HISTOGRAM_LOG_MAX = 16;
export const HISTOGRAM_BUCKETS = 640;
const WIDTH = HISTOGRAM_LOG_MAX / HISTOGRAM_BUCKETS;

/** SQL: the bucket (1 … HISTOGRAM_BUCKETS, +1 for overflow) of a non-null millisecond column. */
export function histogramBucketSql(column: string): string {
  return `width_bucket(ln(1 + greatest(${column}, 0)), 0, ${HISTOGRAM_LOG_MAX}, ${HISTOGRAM_BUCKETS})`;
}

export interface Histogram {
  /** bucket index → count */
  counts: Map<number, number>;
  min: number;
  max: number;
}

/**
 * percentile_cont(q) estimated from the histogram: like percentile_cont, interpolates linearly
 * between the two order statistics around rank q·(n−1); each of those is placed inside its
 * bucket on the log scale by its position among the bucket's values. The smallest and largest
 * values are known exactly (so a constant latency comes out exact).
 */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const buckets = [...h.counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return null;
  const orderStatistic = (k: number): number => {
    if (k <= 0) return h.min;
    if (k >= total - 1) return h.max;
    let below = 0;
    for (const [index, n] of buckets) {
      if (k < below + n) {
        if (index > HISTOGRAM_BUCKETS) return h.max;
        const within = (k - below + 0.5) / n;
        return Math.min(h.max, Math.max(h.min, Math.exp((index - 1 + within) * WIDTH) - 1));
      }
      below += n;
    }
    return h.max;
  };
  const rank = q * (total - 1);
  const lo = Math.floor(rank);
  const a = orderStatistic(lo);
  return rank === lo ? a : a + (rank - lo) * (orderStatistic(lo + 1) - a);
}
