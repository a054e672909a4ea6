import { z } from 'zod';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d|w))+$/;
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Prometheus-style durations: "15s", "5m", "1h30m", "500ms", "0s". Returns milliseconds or null. */
export function parseDuration(text: string): number | null {
  const s = text.trim();
  if (!DURATION_RE.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(PART_RE)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(total);
}

/** Formats milliseconds back into the shortest exact duration ("90000" → "1m30s"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A YAML duration string (or a number of seconds) parsed to milliseconds. */
export const durationSchema = z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
  if (typeof v === 'number') return Math.round(v * 1000);
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (examples: 30s, 5m, 1h30m, 500ms)` });
    return z.NEVER;
  }
  return ms;
});
