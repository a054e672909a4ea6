import type { Point } from './features';

export interface OrderedSeries<P extends Point> {
  /** Strictly increasing timestamps; points that shared one are merged into the first. */
  points: P[];
  /** Points that came earlier in the input than a point with a later timestamp. */
  outOfOrder: number;
  /** Points dropped because an earlier one had the same timestamp (their values were averaged in). */
  duplicates: number;
}

/**
 * Puts a series in time order and merges points with the same timestamp (the mean of their
 * values), as the detector needs: real exports and late arrivals are not always sorted
 * (NAB's machine_temperature_system_failure.csv steps back once). Stable, so equal
 * timestamps keep their input order; the input is not modified.
 */
export function orderSeries<P extends Point>(input: readonly P[]): OrderedSeries<P> {
  let outOfOrder = 0;
  let latest = -Infinity;
  for (const p of input) {
    if (p.timestamp < latest) outOfOrder++;
    else latest = p.timestamp;
  }
  const sorted = outOfOrder ? [...input].sort((a, b) => a.timestamp - b.timestamp) : [...input];
  const points: P[] = [];
  let duplicates = 0;
  let run = 1;
  for (const p of sorted) {
    const last = points[points.length - 1];
    if (last && last.timestamp === p.timestamp) {
      duplicates++;
      run++;
      // running mean of the run of equal timestamps
      points[points.length - 1] = { ...last, value: last.value + (p.value - last.value) / run };
    } else {
      points.push(p);
      run = 1;
    }
  }
  return { points, outOfOrder, duplicates };
}
