// Pushes the fast paths are checked against (push-fast-path.test.ts, samples-json-reader.test.ts):
// one good sample, variations of it each of which the schema may accept or reject, and bodies
// built from them. A time of NOW; the schema's limits are the defaults.
import { defaultLimits } from '../model/limits';
import { createPushSchema } from '../model/push-schema';
import { toRows } from '../model/rows';
import { seriesKey } from '../model/series-key';

export const NOW = Date.UTC(2026, 0, 17, 15, 0, 0);
export const now = (): number => NOW;
const schema = createPushSchema(defaultLimits, now);

export const good = { name: 'queue_depth', value: 17, labels: { queue: 'llm', shard: '3' }, ts: NOW - 1000 };
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`l${i}`, 'v']));

// Variations of one sample, each of which the schema may accept or reject.
export const sampleVariants: Record<string, unknown>[] = [
  good,
  { name: 'a', value: 0 },
  { name: 'a:b_c', value: -0, labels: {} },
  { name: 'x'.repeat(200), value: 1e308 },
  { name: 'x'.repeat(201), value: 1 },
  { name: '', value: 1 },
  { name: '1abc', value: 1 },
  { name: 'queue-depth', value: 1 },
  { name: 'naïve', value: 1 },
  { name: 42, value: 1 },
  { value: 1 },
  { name: 'a' },
  { name: 'a', value: '42' },
  { name: 'a', value: null },
  { name: 'a', value: NaN },
  { name: 'a', value: Infinity },
  { name: 'a', value: 1, ts: NOW + 10 * 60_000 },
  { name: 'a', value: 1, ts: NOW + 10 * 60_000 + 1 },
  { name: 'a', value: 1, ts: -1 },
  { name: 'a', value: 1, ts: 1.5 },
  { name: 'a', value: 1, ts: 2 ** 53 },
  { name: 'a', value: 1, ts: '2026-01-17T15:00:00Z' },
  { name: 'a', value: 1, ts: '2026-01-17' },
  { name: 'a', value: 1, ts: null },
  { name: 'a', value: 1, ts: undefined },
  { name: 'a', value: 1, foo: 1 },
  { name: 'a', value: 1, labels: null },
  { name: 'a', value: 1, labels: ['x'] },
  { name: 'a', value: 1, labels: 'x' },
  { name: 'a', value: 1, labels: { a: 1 } },
  { name: 'a', value: 1, labels: { a: { b: 'c' } } },
  { name: 'a', value: 1, labels: { 'bad-label': 'x' } },
  { name: 'a', value: 1, labels: { '': 'x' } },
  { name: 'a', value: 1, labels: { a: '' } },
  { name: 'a', value: 1, labels: { a: 'x'.repeat(1024) } },
  { name: 'a', value: 1, labels: { a: 'x'.repeat(1025) } },
  { name: 'a', value: 1, labels: { ['k'.repeat(201)]: 'x' } },
  { name: 'a', value: 1, labels: many(32) },
  { name: 'a', value: 1, labels: many(33) },
  { name: 'a', value: 1, labels: { a: 'nul\u0000inside' } },
  { name: 'a', value: 1, labels: { a: 'lone \ud800 surrogate' } },
  { name: 'a', value: 1, labels: { a: 'lone \udfff low' } },
  { name: 'a', value: 1, labels: { a: 'paired 😀 emoji' } },
  { name: 'a', value: 1, labels: { a: 'ünïcödé' } },
  { name: 'a', value: 1, labels: JSON.parse('{"__proto__": "x"}') },
  { name: 'a', value: 1, labels: JSON.parse('{"__proto__": {"polluted": "yes"}}') },
  { name: 'a', value: 1, labels: { constructor: 'x', prototype: 'y', __name__: 'z' } },
  { name: 'a', value: 1, labels: Object.create({ inherited: 'x' }) },
  { name: 'a', value: 1, labels: new Map() },
  JSON.parse('{"name":"a","value":1,"__proto__":{"x":1}}'),
  Object.assign(Object.create(null), { name: 'a', value: 1 }),
  [],
  null,
  'sample',
];

export const bodies: unknown[] = [
  null,
  [],
  'samples',
  {},
  { samples: [] },
  { samples: {} },
  { samples: null },
  { samples: [good], system: [] },
  { samples: [good], extra: 1 },
  JSON.parse('{"samples":[],"__proto__":{"samples":[]}}'),
  { samples: Array.from({ length: defaultLimits.maxItems }, () => good) },
  { samples: Array.from({ length: defaultLimits.maxItems + 1 }, () => good) },
  ...sampleVariants.map((s) => ({ samples: [s] })),
  ...sampleVariants.map((s) => ({ samples: [good, s, good] })),
];

/**
 * What the push schema stores of a parsed body at NOW: each sample's series key, time and
 * value, or null when the schema answers 400 — what the fast readers must agree with.
 */
export function storedBySchema(value: unknown): { key: string; timeMs: number; value: number }[] | null {
  const parsed = schema.safeParse(value);
  if (!parsed.success) return null;
  return toRows(parsed.data, NOW, () => null).samples.map((s) => ({
    key: seriesKey(s.name, s.labels),
    timeMs: s.timeMs,
    value: s.value,
  }));
}
