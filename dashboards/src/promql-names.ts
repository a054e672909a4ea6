// Finds the metric names a PromQL expression selects, without a full parser: strings, label
// matchers, range selectors and grouping clauses are removed, then every identifier that is
// not a function call, keyword or variable is a metric name. Enough for the dashboards'
// expressions; the integration test runs them through real Prometheus anyway.

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+(?::\w+)?\}?/g, ' ');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

/**
 * Metric names listed in docs/metrics.md: every backticked name in a table's first column,
 * with `x_{bucket,sum,count}` expanded.
 */
export function documentedMetricNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const firstCell = /^\|\s*([^|]+)\|/.exec(line)?.[1];
    if (!firstCell) continue;
    for (const [, raw] of firstCell.matchAll(/`([^`]+)`/g)) {
      const alt = /^(.*)\{([^}]+)\}(.*)$/.exec(raw);
      if (alt) for (const part of alt[2].split(',')) names.add(`${alt[1]}${part.trim()}${alt[3]}`);
      else if (/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(raw)) names.add(raw);
    }
  }
  return names;
}
