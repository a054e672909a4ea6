import type { Queryable } from '../database';
import { FIVE_MINUTES_MS, HOUR_MS, MINUTE_MS, planRollupRead, rawSpanSql, rollupSpanSql } from './plan';

/** A bucketed range read of stored series (not the LLM signals). */
export interface SeriesRollupQuery {
  name: string;
  matchers: Record<string, string>;
  fromMs: number;
  toMs: number;
  stepMs: number;
  agg: string;
  by?: string[];
  limit: number;
  /** Only these of the matching series (rule evaluation reads many series in pages). */
  seriesIds?: number[];
}

export interface RangeRow {
  labels: Record<string, string>;
  key: string;
  t: number | string;
  v: number | null;
}

const TABLES: Record<number, string> = {
  [HOUR_MS]: 'metric_rollup_1h',
  [FIVE_MINUTES_MS]: 'metric_rollup_5m',
  [MINUTE_MS]: 'metric_rollup_1m',
};

// Aggregations that combine exactly from per-bucket count, sum, min, max and last.
const FINAL: Record<string, string> = {
  avg: 'sum(p.sum) / sum(p.n)',
  sum: 'sum(p.sum)',
  count: 'sum(p.n)::float8',
  min: 'min(p.min)',
  max: 'max(p.max)',
  last: '(array_agg(p.last_value ORDER BY p.last_time DESC))[1]',
};

/**
 * Per aggregation, the partial aggregate every piece of a plan returns per series and step (as
 * columns of a rollup row, or aggregated from raw rows) and how partials of one step combine.
 * Combining happens here rather than in SQL: a GROUP BY over the rolled-up rows costs more than
 * reading them.
 */
interface PartialAggregate {
  rollup: string[];
  raw: string[];
  merge: (into: number[], add: number[]) => void;
  final: (p: number[]) => number;
}
const PARTIALS: Record<string, PartialAggregate> = {
  avg: {
    rollup: ['n::float8', 'sum'],
    raw: ['count(*)::float8', 'sum(value)'],
    merge: (a, b) => {
      a[0] += b[0];
      a[1] += b[1];
    },
    final: (p) => p[1] / p[0],
  },
  sum: { rollup: ['sum'], raw: ['sum(value)'], merge: (a, b) => (a[0] += b[0]), final: (p) => p[0] },
  count: {
    rollup: ['n::float8'],
    raw: ['count(*)::float8'],
    merge: (a, b) => (a[0] += b[0]),
    final: (p) => p[0],
  },
  min: {
    rollup: ['min'],
    raw: ['min(value)'],
    merge: (a, b) => (a[0] = Math.min(a[0], b[0])),
    final: (p) => p[0],
  },
  max: {
    rollup: ['max'],
    raw: ['max(value)'],
    merge: (a, b) => (a[0] = Math.max(a[0], b[0])),
    final: (p) => p[0],
  },
  last: {
    rollup: ["date_part('epoch', last_time) * 1000", 'last_value'],
    raw: ["date_part('epoch', max(time)) * 1000", '(array_agg(value ORDER BY time DESC))[1]'],
    merge: (a, b) => {
      if (b[0] < a[0]) return;
      a[0] = b[0];
      a[1] = b[1];
    },
    final: (p) => p[1],
  },
};

/** One series' points from the rollups: [epoch ms, value] in time order. */
export interface RolledUpSeries {
  labels: Record<string, string>;
  points: [number, number][];
}

/**
 * The points queryRange's raw path returns per series (no `by`), read from the per-minute,
 * 5-minute and hour rollups plus raw samples at the edges, series in id order; null when the
 * query cannot be answered that way (p95, rate, or a step that splits rollup buckets). Stops
 * after maxPoints points in all (truncated).
 */
export async function seriesPointsFromRollups(
  db: Queryable,
  q: Omit<SeriesRollupQuery, 'by' | 'limit'>,
  maxPoints: number,
): Promise<{ series: RolledUpSeries[]; truncated: boolean } | null> {
  const partial = PARTIALS[q.agg];
  if (!partial) return null;
  const plan = planRollupRead(q.fromMs, q.toMs, q.stepMs, [HOUR_MS, FIVE_MINUTES_MS, MINUTE_MS]);
  if (!plan) return null;
  const selected = await db.query<{ id: string | number; labels: Record<string, string> }>(
    `SELECT id, labels FROM metric_series WHERE name = $1 AND labels @> $2::jsonb
       AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[])) ORDER BY id`,
    [q.name, JSON.stringify(q.matchers), q.seriesIds ?? null],
  );
  if (selected.length === 0) return { series: [], truncated: false };
  // series_id = ANY(ids) lets every piece use its (series_id, time) index; a semi-join over the
  // selection made PostgreSQL scan every series' rows of the span and filter them.
  const params: unknown[] = [selected.map((s) => s.id), q.stepMs];
  const t = (column: string) => `floor(date_part('epoch', ${column}) * 1000 / $2) * $2`;
  const width = partial.rollup.length;
  const cols = (exprs: string[]) => exprs.map((e, i) => `${e} AS c${i}`).join(', ');
  const pieces = [
    ...plan.rollups.map(
      (span) => `SELECT series_id, ${t('bucket')} AS t, ${cols(partial.rollup)}
        FROM ${TABLES[span.widthMs]} WHERE series_id = ANY($1::bigint[]) AND ${rollupSpanSql(span, params)}`,
    ),
    ...plan.raw.map(
      (span) => `SELECT series_id, ${t('time')} AS t, ${cols(partial.raw)}
        FROM metric_samples WHERE series_id = ANY($1::bigint[]) AND ${rawSpanSql('time', span, params)}
        GROUP BY series_id, 2`,
    ),
  ];
  // One row per series, its partials as one text list "t,c0,c1,t,c0,c1,…": the cheapest shape
  // to send and parse (float8 text is exact), and each step's values stay together unsorted.
  const rows = await db.query<{ series_id: string | number; a: string }>(
    `SELECT p.series_id, string_agg(concat_ws(',', p.t, ${partial.rollup.map((_, i) => `p.c${i}`).join(', ')}), ',') AS a
     FROM (${pieces.join('\nUNION ALL\n')}) p GROUP BY p.series_id`,
    params,
  );
  const bySeries = new Map(rows.map((r) => [Number(r.series_id), r.a]));
  const series: RolledUpSeries[] = [];
  let budget = maxPoints;
  for (const s of selected) {
    const list = bySeries.get(Number(s.id));
    if (!list) continue;
    const steps = combineSteps(list, width, partial);
    const kept = steps.slice(0, budget);
    if (kept.length)
      series.push({
        labels: s.labels,
        points: kept.map(([at, acc]) => [Math.round(at), partial.final(acc)]),
      });
    budget -= kept.length;
    if (kept.length < steps.length) return { series, truncated: true };
  }
  return { series, truncated: false };
}

/** A series' partials (text list of t and `width` values per entry) combined per step, in time order. */
function combineSteps(list: string, width: number, partial: PartialAggregate): [number, number[]][] {
  const values = list.split(',');
  const stride = width + 1;
  const n = values.length / stride;
  const times = new Float64Array(n);
  let sorted = true;
  for (let k = 0; k < n; k++) {
    times[k] = Number(values[k * stride]);
    if (k > 0 && times[k] < times[k - 1]) sorted = false;
  }
  // The pieces usually arrive in time order already; sort only when they do not.
  const order = Array.from({ length: n }, (_, k) => k);
  if (!sorted) order.sort((x, y) => times[x] - times[y]);
  const steps: [number, number[]][] = [];
  let last: [number, number[]] | undefined;
  for (const k of order) {
    const acc = new Array<number>(width);
    for (let j = 0; j < width; j++) acc[j] = Number(values[k * stride + 1 + j]);
    if (last && last[0] === times[k]) partial.merge(last[1], acc);
    else steps.push((last = [times[k], acc]));
  }
  return steps;
}

/**
 * The same rows queryRange's raw path returns for a read aggregated across series (`by`), from
 * the rollups plus raw samples at the edges; null when the query cannot be answered that way.
 */
export async function seriesRangeFromRollups(
  db: Queryable,
  q: SeriesRollupQuery & { by: string[] },
): Promise<RangeRow[] | null> {
  const final = FINAL[q.agg];
  if (!final) return null;
  const plan = planRollupRead(q.fromMs, q.toMs, q.stepMs, [HOUR_MS, FIVE_MINUTES_MS, MINUTE_MS]);
  if (!plan) return null;
  const params: unknown[] = [q.name, JSON.stringify(q.matchers)];
  const inSelection = 'series_id IN (SELECT id FROM sel)';
  const parts = [
    ...plan.rollups.map(
      (span) => `SELECT series_id, bucket AS time, n, sum, min, max, last_time, last_value
        FROM ${TABLES[span.widthMs]} WHERE ${inSelection} AND ${rollupSpanSql(span, params)}`,
    ),
    ...plan.raw.map(
      (span) => `SELECT series_id, time, 1::bigint, value, value, value, time, value
        FROM metric_samples WHERE ${inSelection} AND ${rawSpanSql('time', span, params)}`,
    ),
  ];
  params.push(q.stepMs);
  const step = `$${params.length}`;
  const bucket = `floor(date_part('epoch', p.time) * 1000 / ${step}) * ${step}`;
  params.push(q.seriesIds ?? null);
  const ids = `$${params.length}::bigint[]`;
  const withParts = `WITH sel AS MATERIALIZED (SELECT id FROM metric_series WHERE name = $1 AND labels @> $2::jsonb
      AND (${ids} IS NULL OR id = ANY(${ids}))),
    p (series_id, time, n, sum, min, max, last_time, last_value) AS (${parts.join('\nUNION ALL\n')})`;
  const pairs = q.by.map((l) => {
    params.push(l);
    return `$${params.length}::text, s.labels->>$${params.length}::text`;
  });
  const labels = pairs.length ? `jsonb_strip_nulls(jsonb_build_object(${pairs.join(', ')}))` : `'{}'::jsonb`;
  params.push(q.limit);
  return db.query<RangeRow>(
    `${withParts}
     SELECT ${labels} AS labels, ${labels}::text AS key, ${bucket} AS t, ${final} AS v
     FROM p JOIN metric_series s ON s.id = p.series_id
     GROUP BY 1, 2, 3 ORDER BY 2, 3 LIMIT $${params.length}`,
    params,
  );
}
