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
 * percentile_cont(q) estimated from the histogram: the rank's position inside its bucket,
 * interpolated on the log scale, clamped to the exact min and max (so a constant series
 * comes out exact).
 */
export function histogramQuantile(h: Histogram, q: number): number | null {
  const buckets = [...h.counts.entries()].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return null;
  const rank = q * (total - 1);
  let below = 0;
  for (const [index, n] of buckets) {
    if (rank < below + n) {
      if (index > HISTOGRAM_BUCKETS) return h.max;
      const within = Math.min(1, Math.max(0, (rank - below + 0.5) / n));
      const estimate = Math.exp((index - 1 + within) * WIDTH) - 1;
      return Math.min(h.max, Math.max(h.min, estimate));
    }
    below += n;
  }
  return h.max;
}
