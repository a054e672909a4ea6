import { DateTime } from 'luxon';
import type { BudgetPeriod } from './schema';

export interface PeriodBounds {
  /** Epoch ms of the period's start and end (end exclusive), calendar-aligned in the zone. */
  start: number;
  end: number;
  /** The start as a local date (YYYY-MM-DD), which names the period. */
  label: string;
  /** Calendar days in the period (local). */
  days: number;
}

/**
 * The calendar period containing nowMs in a time zone: a day from local midnight, an ISO week
 * from Monday, a month from the 1st. DST days are 23 or 25 hours long, as the calendar says.
 */
export function periodBounds(period: BudgetPeriod, timezone: string, nowMs: number): PeriodBounds {
  const local = DateTime.fromMillis(nowMs, { zone: timezone });
  const start = local.startOf(period);
  const end = start.plus({ [`${period}s`]: 1 });
  return {
    start: start.toMillis(),
    end: end.toMillis(),
    label: start.toISODate()!,
    days: Math.round(end.diff(start, 'days').days),
  };
}

/** Local hour of day (fractional, 0 ≤ h < 24) and the whole days since the period's start. */
export function localPosition(
  bounds: PeriodBounds,
  timezone: string,
  nowMs: number,
): { hourOfDay: number; fullDays: number } {
  const local = DateTime.fromMillis(nowMs, { zone: timezone });
  const dayStart = local.startOf('day');
  return {
    hourOfDay: local.diff(dayStart, 'hours').hours,
    fullDays: Math.round(dayStart.diff(DateTime.fromMillis(bounds.start, { zone: timezone }), 'days').days),
  };
}

/** Local hour of day (0–23) of an epoch ms. */
export const localHour = (ms: number, timezone: string) => DateTime.fromMillis(ms, { zone: timezone }).hour;
