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
 * The same rows queryRange's raw path returns, read from the per-minute, 5-minute and hour rollups
 * plus raw samples at the edges; null when the query cannot be answered that way (p95, rate,
 * or a step that splits rollup buckets).
 */
export async function seriesRangeFromRollups(
  db: Queryable,
  q: SeriesRollupQuery,
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
  const withParts = `WITH sel AS MATERIALIZED (SELECT id FROM metric_series WHERE name = $1 AND labels @> $2::jsonb),
    p (series_id, time, n, sum, min, max, last_time, last_value) AS (${parts.join('\nUNION ALL\n')})`;
  if (!q.by) {
    params.push(q.limit);
    return db.query<RangeRow>(
      `${withParts}
       SELECT s.labels, a.key, a.t, a.v FROM (
         SELECT p.series_id, p.series_id::text AS key, ${bucket} AS t, ${final} AS v
         FROM p GROUP BY p.series_id, 3) a
       JOIN metric_series s ON s.id = a.series_id
       ORDER BY a.series_id, a.t LIMIT $${params.length}`,
      params,
    );
  }
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
