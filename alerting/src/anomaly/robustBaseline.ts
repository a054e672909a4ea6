/** Median of a copy of `values` (NaN when empty). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  // A typed array sorts numerically without a comparator: several times faster, and this
  // runs a few times per scored point.
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface RobustLevel {
  /** Median of the window. */
  center: number;
  /** Robust standard deviation: 1.4826·MAD, else 1.2533·mean |x − median|, else 0 (flat). */
  scale: number;
}

/** Points whose median is the expected level: short, so a trend or daily ramp lags little. */
export const CENTER_POINTS = 15;

/**
 * Expected level and robust noise scale of a window. The level is the median of its last
 * CENTER_POINTS values; the scale is the MAD of the first differences / √2, which measures
 * point-to-point noise and ignores trends, ramps and earlier level shifts. MAD is 0 when most
 * differences are equal (counters that sit at 0), so their root mean square backs it up (the
 * mean absolute deviation would understate sparse counters); only a constant window gets
 * scale 0, which callers treat as "flat".
 */
export function robustLevel(window: readonly number[]): RobustLevel {
  const center = median(window.slice(-CENTER_POINTS));
  const diffs: number[] = [];
  for (let i = 1; i < window.length; i++) diffs.push(window[i] - window[i - 1]);
  const mid = median(diffs);
  const deviations = diffs.map((d) => Math.abs(d - mid));
  let scale = (1.4826 * median(deviations)) / Math.SQRT2;
  if (!(scale > 0))
    scale =
      Math.sqrt(deviations.reduce((a, d) => a + d * d, 0) / Math.max(1, deviations.length)) / Math.SQRT2;
  if (!(scale > 0) && window.some((x) => x !== center))
    scale = 1.4826 * median(window.map((x) => Math.abs(x - center)));
  const floor = 1e-12 * Math.max(1, Math.abs(center));
  return { center, scale: scale > floor ? scale : 0 };
}

/**
 * How many robust standard deviations `x` lies from the window's centre. A flat window
 * gives 0 for the same value and Infinity for any other: the first deviation from a
 * constant series is as surprising as it gets.
 */
export function robustZ(x: number, level: RobustLevel): number {
  const d = Math.abs(x - level.center);
  if (level.scale === 0) return d <= 1e-12 * Math.max(1, Math.abs(level.center)) ? 0 : Infinity;
  return d / level.scale;
}
