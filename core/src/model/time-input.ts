import { z } from 'zod';

/**
 * One strict parser for timestamps and durations, shared by every API: impossible dates,
 * negative or overflowing times and durations are errors, never silently moved or clamped.
 */

/** The last instant an RFC 3339 timestamp (four-digit year) can name: 9999-12-31T23:59:59.999Z. */
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** Longest accepted duration (windows, offsets, history, silences' spans): ten years. */
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string): Parsed<T> => ({ ok: false, message });

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]);

/** RFC 3339 with a mandatory offset → epoch ms; "2026-02-31T00:00:00Z" is an error, not March 3. */
export function parseRfc3339(text: string): Parsed<number> {
  const m = RFC3339.exec(text);
  if (!m) return fail('must be RFC 3339 with a time zone, e.g. 2026-01-17T15:00:00Z');
  const y = +m[1];
  const mo = +m[2];
  const d = +m[3];
  const h = +m[4];
  const mi = +m[5];
  const s = +m[6];
  if (mo < 1 || mo > 12) return fail(`month ${m[2]} does not exist`);
  if (d < 1 || d > daysIn(y, mo)) return fail(`day ${m[3]} does not exist in ${m[1]}-${m[2]}`);
  if (h > 23 || mi > 59 || s > 59) return fail('the time of day is out of range');
  let offsetMin = 0;
  if (m[9]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return fail('the time zone offset is out of range');
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : +m[7].padEnd(3, '0').slice(0, 3);
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMin * 60_000;
  return checkTimestamp(utc);
}

/** An epoch-ms number in the representable range (0 … 9999-12-31). */
export function checkTimestamp(ms: number): Parsed<number> {
  if (!Number.isInteger(ms)) return fail('must be epoch milliseconds (an integer)');
  if (ms < 0) return fail('must not be before 1970-01-01');
  if (ms > MAX_TIMESTAMP_MS) return fail('must not be after 9999-12-31T23:59:59.999Z');
  return ok(ms);
}

/** Epoch ms (a number, or a string of digits) or RFC 3339 → epoch ms. */
export function parseTimestamp(value: unknown): Parsed<number> {
  if (typeof value === 'number') return checkTimestamp(value);
  if (typeof value !== 'string') return fail('must be epoch milliseconds or RFC 3339');
  if (/^\d{1,16}$/.test(value)) return checkTimestamp(Number(value));
  if (/^[+-]?\d+$/.test(value)) return fail('must be epoch milliseconds from 0 to 253402300799999');
  return parseRfc3339(value);
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION = /^(?:\d{1,12}(?:\.\d{1,9})?(?:ms|s|m|h|d|w))+$/;
const DURATION_PART = /(\d{1,12}(?:\.\d{1,9})?)(ms|s|m|h|d|w)/g;

/**
 * Prometheus-style durations ("15s", "1h30m", "250ms", "0s") → whole milliseconds, at most
 * MAX_DURATION_MS. `bare` says what a plain number means: milliseconds, seconds, or an error.
 */
export function parseDurationText(text: string, bare: 'ms' | 's' | 'none' = 'none'): Parsed<number> {
  const s = text.trim();
  let ms: number;
  if (s.length > 64) return fail('is too long to be a duration');
  if (bare !== 'none' && /^\d{1,15}(?:\.\d{1,9})?$/.test(s)) {
    ms = Number(s) * (bare === 's' ? 1000 : 1);
  } else if (DURATION.test(s)) {
    ms = 0;
    for (const m of s.matchAll(DURATION_PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
  } else {
    return fail(`"${s.slice(0, 40)}" is not a duration (examples: 30s, 5m, 1h30m, 500ms)`);
  }
  return checkDuration(Math.round(ms));
}

/** A duration in ms within 0 … MAX_DURATION_MS. */
export function checkDuration(ms: number): Parsed<number> {
  if (!Number.isFinite(ms) || ms < 0) return fail('must be a non-negative duration');
  if (ms > MAX_DURATION_MS) return fail('must not be longer than 10 years (3650d)');
  return ok(ms);
}

/** zod: epoch ms (number or digits) or RFC 3339 → epoch ms, with parseTimestamp's messages. */
export const timestampSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const parsed = parseTimestamp(v);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  return parsed.value;
});
