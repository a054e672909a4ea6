import {
  AGGREGATIONS,
  defaultLimits,
  isReservedKey,
  LABEL_NAME,
  METRIC_NAME,
  parseDurationText,
  parseTimestamp,
  type Aggregation,
} from '@aihub/core';
import { ApiError } from '../http/errors';

const RESERVED = new Set(['name', 'from', 'to', 'step', 'agg', 'by', 'limit', 'access_token']);

/** Epoch ms (0 … year 9999) or RFC 3339 → ms; anything else is a 400 naming the parameter. */
export function parseTime(value: unknown, param: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (typeof value !== 'string') throw bad(param, 'must be given once');
  const parsed = parseTimestamp(value);
  if (!parsed.ok) throw bad(param, parsed.message);
  return parsed.value;
}

export function bad(path: string, message: string): ApiError {
  return new ApiError(400, 'invalid_query', `invalid query parameter ${path}: ${message}`, [
    { path, message },
  ]);
}

export interface ParsedSelector {
  name?: string;
  matchers: Record<string, string>;
}

/** name=N plus any other parameter as an exact label matcher. */
export function parseSelector(query: Record<string, unknown>, nameRequired: boolean): ParsedSelector {
  const name = query.name;
  if (name === undefined || name === '') {
    if (nameRequired) throw bad('name', 'is required');
  } else if (typeof name !== 'string' || !METRIC_NAME.test(name)) {
    throw bad('name', 'must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
  }
  // Null prototype: a matcher named like an Object.prototype key stays an ordinary key.
  const matchers: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(query)) {
    if (RESERVED.has(k)) continue;
    if (!LABEL_NAME.test(k)) throw bad(k, 'is not a label name');
    if (isReservedKey(k)) throw bad(k, 'is a reserved name and never a label');
    if (typeof v !== 'string') throw bad(k, 'must be given once');
    matchers[k] = v;
  }
  return { name: (name as string | undefined) || undefined, matchers };
}

export function parseStep(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw bad('step', 'must be given once');
  const parsed = parseDurationText(value, 's');
  if (!parsed.ok) throw bad('step', `must be seconds or a duration like 15s, 1m: ${parsed.message}`);
  if (parsed.value < 1) throw bad('step', 'must be positive');
  return parsed.value;
}

export function parseAgg(value: unknown): Aggregation | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !(AGGREGATIONS as readonly string[]).includes(value)) {
    throw bad('agg', `must be one of ${AGGREGATIONS.join(', ')}`);
  }
  return value as Aggregation;
}

/** by=endpoint,host → ['endpoint', 'host']; by= (empty) → [] (merge every series). */
export function parseBy(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw bad('by', 'must be given once');
  const labels = value
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const badLabel = labels.find((l) => !LABEL_NAME.test(l) || isReservedKey(l));
  if (badLabel) throw bad('by', `"${badLabel}" is not a label name`);
  // A series has at most maxLabels labels, so grouping by more can only repeat or miss.
  if (labels.length > defaultLimits.maxLabels)
    throw bad('by', `at most ${defaultLimits.maxLabels} labels (a series has no more)`);
  return [...new Set(labels)];
}
