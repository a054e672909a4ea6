import { formatDuration } from '../config/duration';
import type { Rule } from '../config/schema';

const DURATION_FIELDS = [
  'window',
  'for',
  'keep_firing_for',
  'history',
  'suppress_for',
  'resolve_after',
] as const;

/** A parsed rule back in the YAML/API spelling (durations as "5m"), for storage and GET. */
export function ruleToJson(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = { ...rule };
  for (const f of DURATION_FIELDS) {
    if (typeof out[f] === 'number') out[f] = formatDuration(out[f] as number);
  }
  if (rule.type === 'threshold' && rule.divide_by) {
    const d: Record<string, unknown> = { ...rule.divide_by, offset: formatDuration(rule.divide_by.offset) };
    if (rule.divide_by.window !== undefined) d.window = formatDuration(rule.divide_by.window);
    out.divide_by = d;
  }
  return out;
}
