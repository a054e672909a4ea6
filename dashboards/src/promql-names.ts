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

export interface LabelUses {
  /** Labels a selector matches on, with the metric it selects. */
  matchers: { metric: string; label: string }[];
  /** Labels named in by/without/on/ignoring/group_left/group_right clauses. */
  grouping: string[];
}

/**
 * The label names an expression relies on. A misspelt one does not make Prometheus fail:
 * `x{host=~".*"}` matches series without `host` and `sum by (status) (x)` returns one series
 * without it, so a query can return data and still be wrong. Tests check these names exist.
 */
export function labelUses(expr: string): LabelUses {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\$\{\w+(?::\w+)?\}/g, ' ');
  const matchers: LabelUses['matchers'] = [];
  const seen = new Set<string>();
  for (const [, metric, body] of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g)) {
    for (const [, label] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) {
      const key = `${metric ?? ''}\u0000${label}`;
      if (seen.has(key)) continue;
      seen.add(key);
      matchers.push({ metric: metric ?? '', label });
    }
  }
  const grouping = new Set<string>();
  for (const [, list] of stripped.matchAll(
    /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
  ))
    for (const label of list.split(',').map((l) => l.trim())) if (label) grouping.add(label);
  return { matchers, grouping: [...grouping] };
}
