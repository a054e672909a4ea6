// Expands the macros of Grafana's PostgreSQL datasource the way its backend does
// (pkg/tsdb/grafana-postgresql-datasource/macros.go and sqleng): $__interval and
// $__interval_ms first, then $__name(args) calls. Used to run dashboard SQL in tests.

export interface SqlMacroContext {
  from: Date;
  to: Date;
  /** The query interval Grafana computes from the time range and panel width. */
  intervalMs: number;
  /** The datasource's `timescaledb` option: $__timeGroup becomes time_bucket(). */
  timescaledb: boolean;
}

export class SqlMacroError extends Error {}

/** Go's time.RFC3339Nano: UTC, fractional seconds without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** Grafana's gtime.FormatInterval: the largest whole unit. */
export function formatInterval(ms: number): string {
  const units: Array<[string, number]> = [
    ['y', 365 * 86400000],
    ['w', 7 * 86400000],
    ['d', 86400000],
    ['h', 3600000],
    ['m', 60000],
    ['s', 1000],
  ];
  for (const [unit, size] of units) if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  return `${ms}ms`;
}

/** Grafana's gtime.ParseInterval for the forms dashboards use: 500ms, 30s, 5m, 1h, 1d, 1w, 1y. */
export function parseIntervalMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)$/.exec(text.trim());
  if (!m) throw new SqlMacroError(`error parsing interval ${text}`);
  const size: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60000,
    h: 3600000,
    d: 86400000,
    w: 604800000,
    M: 2592000000,
    y: 31536000000,
  };
  return Number(m[1]) * size[m[2]];
}

/** Go's %v for a float64 number of seconds. */
const goFloat = (n: number) => String(n);

function timeGroup(args: string[], ctx: SqlMacroContext, name: string): string {
  if (args.length < 2)
    throw new SqlMacroError(`macro ${name} needs time column and interval and optional fill value`);
  const seconds = parseIntervalMs(args[1].replace(/^'+|'+$/g, '')) / 1000;
  if (ctx.timescaledb) return `time_bucket('${seconds.toFixed(3)}s',${args[0]})`;
  return `floor(extract(epoch from ${args[0]})/${goFloat(seconds)})*${goFloat(seconds)}`;
}

function evaluate(name: string, args: string[], ctx: SqlMacroContext): string {
  const from = rfc3339Nano(ctx.from);
  const to = rfc3339Nano(ctx.to);
  const column = () => {
    if (!args[0]) throw new SqlMacroError(`missing time column argument for macro ${name}`);
    return args[0];
  };
  switch (name) {
    case '__time':
      return `${column()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter':
      return `${column()} BETWEEN '${from}' AND '${to}'`;
    case '__timeFrom':
      return `'${from}'`;
    case '__timeTo':
      return `'${to}'`;
    case '__timeGroup':
      return timeGroup(args, ctx, name);
    case '__timeGroupAlias':
      return `${timeGroup(args, ctx, name)} AS "time"`;
    case '__unixEpochFilter':
      return `${column()} >= ${Math.floor(ctx.from.getTime() / 1000)} AND ${column()} <= ${Math.floor(ctx.to.getTime() / 1000)}`;
    case '__unixEpochGroup':
    case '__unixEpochGroupAlias': {
      if (args.length < 2)
        throw new SqlMacroError(`macro ${name} needs time column and interval and optional fill value`);
      const s = goFloat(parseIntervalMs(args[1].replace(/^'+|'+$/g, '')) / 1000);
      return `floor((${args[0]})/${s})*${s}${name.endsWith('Alias') ? ' AS "time"' : ''}`;
    }
    default:
      throw new SqlMacroError(`unknown macro "${name}"`);
  }
}

export function expandSqlMacros(sql: string, ctx: SqlMacroContext): string {
  let out = sql
    .replaceAll('$__interval_ms', String(ctx.intervalMs))
    .replaceAll('$__interval', formatInterval(ctx.intervalMs))
    .replaceAll('$__unixEpochFrom()', String(Math.floor(ctx.from.getTime() / 1000)))
    .replaceAll('$__unixEpochTo()', String(Math.floor(ctx.to.getTime() / 1000)));
  out = out.replace(
    /\$([_a-zA-Z0-9]+)\(([^)]*)\)/g,
    (whole, name: string, rawArgs: string, offset: number, full: string) => {
      // Like Grafana: `$__timeGroup(...)` directly followed by a comma is the pre-5.3 form that
      // implied the alias.
      const macro = name === '__timeGroup' && full[offset + whole.length] === ',' ? '__timeGroupAlias' : name;
      const args = rawArgs.split(',').map((a) => a.trim());
      return evaluate(macro, args, ctx);
    },
  );
  return out;
}
