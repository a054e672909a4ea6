import { localHour, localPosition, type PeriodBounds } from './period';

/** Spend history needed before the hour-of-day profile replaces the straight line. */
export const PROFILE_MIN_HISTORY_MS = 7 * 86_400_000;
/** How far back the profile looks. */
export const PROFILE_HISTORY_MS = 28 * 86_400_000;
/** No forecast in the period's first hour: one early request would extrapolate to anything. */
export const FORECAST_MIN_ELAPSED_MS = 3_600_000;

/** Share of a day's spend in each local hour (24 numbers summing to 1). */
export type HourProfile = number[];

/**
 * The hour-of-day profile of hourly spend buckets (UTC hour starts), or null when the history
 * covers less than a week or holds nothing: then the forecast stays linear.
 */
export function hourProfile(
  buckets: { hour: number; amount: number }[],
  timezone: string,
  periodStart: number,
): HourProfile | null {
  if (!buckets.length || periodStart - buckets[0].hour < PROFILE_MIN_HISTORY_MS) return null;
  const sums = new Array<number>(24).fill(0);
  for (const b of buckets) sums[localHour(b.hour, timezone)] += b.amount;
  const total = sums.reduce((a, b) => a + b, 0);
  return total > 0 ? sums.map((s) => s / total) : null;
}

/**
 * The share of the period's spend expected by nowMs: elapsed time over the period's length, or,
 * with a profile, whole days elapsed plus today's profile share up to the current hour, over the
 * days in the period. A profile that expects nearly nothing yet falls back to the line, so that a
 * request in a usually quiet hour does not forecast an infinite overrun.
 */
export function expectedShare(
  bounds: PeriodBounds,
  timezone: string,
  nowMs: number,
  profile: HourProfile | null,
): number {
  const linear = Math.min(1, Math.max(0, (nowMs - bounds.start) / (bounds.end - bounds.start)));
  if (!profile) return linear;
  const { hourOfDay, fullDays } = localPosition(bounds, timezone, nowMs);
  const h = Math.min(24, hourOfDay);
  let today = 0;
  for (let i = 0; i < Math.floor(h); i++) today += profile[i];
  if (h < 24) today += (h - Math.floor(h)) * profile[Math.floor(h)];
  const share = Math.min(1, (fullDays + today) / bounds.days);
  return share < linear / 4 ? linear : share;
}

/** The period's end spend forecast from what was spent so far; null too early in the period. */
export function forecastSpend(spent: number, elapsedMs: number, share: number): number | null {
  if (elapsedMs < FORECAST_MIN_ELAPSED_MS || share <= 0) return null;
  return spent / share;
}
