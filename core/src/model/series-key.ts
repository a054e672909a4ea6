/** Canonical text of a label set: keys sorted, so {a,b} and {b,a} are one series. */
export function canonicalLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '{}';
  keys.sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = labels[k];
  return JSON.stringify(sorted);
}

/**
 * The key of one series (name and labels) in the writer's id cache: the name, \u0001, then
 * the canonical labels, which is also how storage splits it back (metric_series.name, labels).
 */
export function seriesKey(name: string, labels: Record<string, string>): string {
  return name + '\u0001' + canonicalLabels(labels);
}
