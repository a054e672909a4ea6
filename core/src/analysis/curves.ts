/**
 * Small, allocation-light helpers over numeric curves, shared by the diagnostics.
 * Everything here is O(n·w) with a small window w, so 10k-point series stay cheap.
 */
import type { Point } from './types';

export function medianOf(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function meanOf(values: number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Median of the last `k` values: the "current" value of a noisy curve. */
export function currentValue(values: number[], k: number): number {
  return medianOf(values.slice(Math.max(0, values.length - k)));
}

/** Centred moving median with window `w` (shrinking at the edges). */
export function movingMedian(values: number[], w: number): number[] {
  const half = Math.floor(w / 2);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = medianOf(values.slice(Math.max(0, i - half), Math.min(values.length, i + half + 1)));
  }
  return out;
}

/** Trailing moving median: out[i] is the median of values[i−w+1 … i]. */
export function trailingMedian(values: number[], w: number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = medianOf(values.slice(Math.max(0, i - w + 1), i + 1));
  return out;
}

/** Fraction of consecutive first differences whose sign flips (white noise ≈ 2/3, a zig-zag = 1). */
export function signChangeRatio(values: number[]): number {
  let changes = 0;
  let pairs = 0;
  for (let i = 2; i < values.length; i++) {
    const a = values[i - 1] - values[i - 2];
    const b = values[i] - values[i - 1];
    if (a === 0 || b === 0) continue;
    pairs++;
    if (Math.sign(a) !== Math.sign(b)) changes++;
  }
  return pairs ? changes / pairs : 0;
}

export function standardDeviationOf(values: number[]): number {
  if (values.length < 2) return 0;
  const m = meanOf(values);
  let sq = 0;
  for (const v of values) sq += (v - m) * (v - m);
  return Math.sqrt(sq / values.length);
}

/**
 * Re-expresses a training metric as one point per epoch (x = epoch, y = mean of the epoch's
 * finite values), using the run's epoch series to know which epoch each timestamp belongs
 * to. Returns null when there is no usable epoch series.
 */
export function perEpochCurve(points: Point[], epochs: Point[] | undefined): Point[] | null {
  if (!epochs || epochs.length === 0) return null;
  const sums = new Map<number, { sum: number; n: number }>();
  let e = 0;
  for (const [t, v] of points) {
    while (e + 1 < epochs.length && epochs[e + 1][0] <= t) e++;
    if (epochs[e][0] > t || !Number.isFinite(v)) continue;
    const epoch = epochs[e][1];
    const acc = sums.get(epoch) ?? { sum: 0, n: 0 };
    acc.sum += v;
    acc.n++;
    sums.set(epoch, acc);
  }
  return [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, a]) => [epoch, a.sum / a.n]);
}

/** Rounds for evidence: enough digits to read, no float noise. */
export function round(v: number, digits = 4): number {
  if (!Number.isFinite(v)) return v;
  if (v === 0) return 0;
  const magnitude = Math.floor(Math.log10(Math.abs(v)));
  const factor = 10 ** Math.max(0, digits - 1 - magnitude);
  return Math.round(v * factor) / factor;
}
