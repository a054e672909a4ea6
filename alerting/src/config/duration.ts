import { z } from 'zod';
import { checkDuration, parseDurationText } from '@aihub/core';

/**
 * Prometheus-style durations: "15s", "5m", "1h30m", "500ms", "0s" → milliseconds, or null when
 * the text is not one or is longer than ten years (core's strict parser).
 */
export function parseDuration(text: string): number | null {
  const parsed = parseDurationText(text);
  return parsed.ok ? parsed.value : null;
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

/** A YAML duration string (or a number of seconds) parsed to milliseconds, at most ten years. */
export const durationSchema = z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
  const parsed = typeof v === 'number' ? checkDuration(Math.round(v * 1000)) : parseDurationText(v);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.message });
    return z.NEVER;
  }
  return parsed.value;
});
