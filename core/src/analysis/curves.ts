/**
 * Small, allocation-light helpers over numeric curves, shared by the diagnostics.
 * Everything here is O(n·w) with a small window w, so 10k-point series stay cheap.
 */
import type { Point } from './types';

export function medianOf(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  // Typed-array sort is numeric and native: several times faster than sort with a comparator.
  const s = n <= 32 ? insertionSorted(values, 0, n, new Float64Array(n)) : Float64Array.from(values).sort();
  const mid = n >> 1;
  return n % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** values[from, to) sorted into buf (which must hold to − from numbers). */
function insertionSorted(
  values: ArrayLike<number>,
  from: number,
  to: number,
  buf: Float64Array,
): Float64Array {
  let len = 0;
  for (let i = from; i < to; i++) {
    const v = values[i];
    let j = len++;
    while (j > 0 && buf[j - 1] > v) {
      buf[j] = buf[j - 1];
      j--;
    }
    buf[j] = v;
  }
  return buf;
}

/** Median of values[from, to) using a scratch buffer: no allocation per call. */
function windowMedian(values: ArrayLike<number>, from: number, to: number, buf: Float64Array): number {
  const n = to - from;
  insertionSorted(values, from, to, buf);
  const mid = n >> 1;
  return n % 2 ? buf[mid] : (buf[mid - 1] + buf[mid]) / 2;
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
  const buf = new Float64Array(w + 1);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = windowMedian(values, Math.max(0, i - half), Math.min(values.length, i + half + 1), buf);
  }
  return out;
}

/** Median of the `w` values before each index (NaN where there are none): out[i] = median(values[i−w … i−1]). */
export function precedingMedian(values: number[], w: number): number[] {
  const buf = new Float64Array(w);
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++)
    out[i] = i === 0 ? NaN : windowMedian(values, Math.max(0, i - w), i, buf);
  return out;
}

/**
 * Medians of every full trailing window of `w` values, oldest first. Pass an even `w`: a
 * 2-periodic zig-zag then reads as its centre, where an odd window picks the highs or the lows.
 */
export function windowLevels(values: number[], w: number): number[] {
  if (values.length < w) return [];
  return precedingMedian([...values, NaN], w).slice(w);
}

/**
 * Median |v[i] − v[i−1]|: the typical step-to-step swing. For white noise of σ it is ≈ 0.954·σ
 * (see NOISE_STEP_FACTOR); a ±A zig-zag gives 2·A.
 */
export function medianAbsStep(values: number[]): number {
  if (values.length < 2) return 0;
  const steps = new Float64Array(values.length - 1);
  for (let i = 1; i < values.length; i++) steps[i - 1] = Math.abs(values[i] - values[i - 1]);
  return medianOf(steps);
}

/** median |Δ| of white noise / its σ (√2 · Φ⁻¹(0.75)). */
export const NOISE_STEP_FACTOR = 0.954;

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
