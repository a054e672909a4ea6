/** A timestamped observation; `timestamp` in milliseconds since the epoch. */
export interface Point {
  timestamp: number;
  value: number;
}

/** The original plan's features, in column order. */
export const FEATURE_NAMES = [
  'value',
  'rate_of_change',
  'moving_average_5',
  'moving_average_15',
  'volatility_10',
  'hour_of_day',
  'day_of_week',
  'first_difference',
  'relative_change',
] as const;

/** Columns of hour of day and weekday: exempt from the forest's constant-feature rule. */
export const CALENDAR_FEATURES = [FEATURE_NAMES.indexOf('hour_of_day'), FEATURE_NAMES.indexOf('day_of_week')];

/** Bound on relative change, so a move away from 0 is large but finite. */
const MAX_RELATIVE_CHANGE = 10;

function mean(values: readonly number[], from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += values[i];
  return s / (to - from);
}

/**
 * Feature row of the point at index `i` of `values` (timestamp `timestamp`), using only
 * values 0..i (no look-ahead). Windows shorter than nominal at the start of a series use
 * what exists. Hour and weekday are UTC.
 */
export function featureRowOf(
  values: readonly number[],
  timestamp: number,
  previousTimestamp: number | undefined,
  i: number,
): number[] {
  const value = values[i];
  const previous = i > 0 ? values[i - 1] : value;
  const diff = value - previous;
  const dtSeconds = previousTimestamp === undefined ? 0 : (timestamp - previousTimestamp) / 1000;
  const rate = dtSeconds > 0 ? diff / dtSeconds : 0;
  const relative =
    diff === 0
      ? 0
      : Math.max(
          -MAX_RELATIVE_CHANGE,
          Math.min(MAX_RELATIVE_CHANGE, diff / Math.max(Math.abs(previous), 1e-12)),
        );
  const from10 = Math.max(0, i - 9);
  const m10 = mean(values, from10, i + 1);
  let ss = 0;
  for (let k = from10; k <= i; k++) ss += (values[k] - m10) ** 2;
  const date = new Date(timestamp);
  return [
    value,
    rate,
    mean(values, Math.max(0, i - 4), i + 1),
    mean(values, Math.max(0, i - 14), i + 1),
    Math.sqrt(ss / (i + 1 - from10)),
    date.getUTCHours(),
    date.getUTCDay(),
    diff,
    relative,
  ];
}

/** Feature rows for a whole series, each from that point and the ones before it. */
export function extractFeatures(points: readonly Point[]): number[][] {
  const values = points.map((p) => p.value);
  return points.map((p, i) =>
    featureRowOf(values, p.timestamp, i > 0 ? points[i - 1].timestamp : undefined, i),
  );
}
