import type { Queryable } from './database';
import { llmSignalFromRaw, llmSignalFromRollups } from './rollups/llm-rollups';
import { seriesPointsFromRollups, seriesRangeFromRollups, type RangeRow } from './rollups/series-rollups';

export const AGGREGATIONS = ['avg', 'min', 'max', 'sum', 'count', 'last', 'p95', 'rate'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Signals derived from llm_requests per provider/model (DESIGN.md); rates are percentages. */
export const LLM_SIGNALS = {
  llm_requests: 'count(*)::float8',
  llm_error_rate: "100.0 * avg((status = 'error')::int)",
  llm_latency_ms_p95: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms)',
  llm_ttft_ms_p95: 'percentile_cont(0.95) WITHIN GROUP (ORDER BY ttft_ms)',
  llm_tokens: 'sum(input_tokens + output_tokens)::float8',
  llm_cost_usd: 'sum(cost_usd)',
  llm_cache_hit_rate: '100.0 * avg(cache_hit::int)',
} as const;
export type LlmSignal = keyof typeof LLM_SIGNALS;
export const isLlmSignal = (name: string): name is LlmSignal => Object.hasOwn(LLM_SIGNALS, name);
const LLM_LABELS = ['provider', 'model'] as const;
/** Bucket width for LLM signals when the caller gives no step. */
export const DEFAULT_LLM_STEP_MS = 60_000;

export interface SeriesInfo {
  name: string;
  labels: Record<string, string>;
}

export interface RangeQuery {
  name: string;
  matchers?: Record<string, string>;
  fromMs: number;
  toMs: number;
  /** Bucket width; absent → raw points. */
  stepMs?: number;
  agg?: Aggregation;
  /** Stop after this many points in all. */
  maxPoints?: number;
  /**
   * Aggregate across series that share these label values (PromQL's `by`): one output series per
   * distinct combination, labelled with just these labels. [] merges every matched series.
   */
  by?: string[];
  /** false: read raw rows even where a rollup could answer (comparisons, QUERY_ROLLUPS=off). */
  rollups?: boolean;
  /** Only these series (ids from selectSeries): rule evaluation reads many series in pages. */
  seriesIds?: number[];
  /**
   * LLM p95s on the rollup path: exact from raw rows up to this many requests in the window,
   * else from the histograms (default EXACT_P95_MAX_REQUESTS; 0 always reads the histograms).
   */
  exactP95MaxRequests?: number;
}

/** A query that cannot be answered as asked (the API turns it into a 400). */
export class QueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SeriesPoints extends SeriesInfo {
  /** [epoch ms, value] in time order. */
  points: [number, number][];
}

export interface RangeResult {
  series: SeriesPoints[];
  truncated: boolean;
}

/** Series with their labels, filtered by name and exact label matchers. */
export async function listSeries(
  db: Queryable,
  name: string | undefined,
  matchers: Record<string, string> = {},
  limit = 10_000,
): Promise<SeriesInfo[]> {
  if (name && isLlmSignal(name)) {
    const rows = await db.query<{ provider: string; model: string }>(
      `SELECT DISTINCT provider, model FROM llm_requests
       WHERE ($1::text IS NULL OR provider = $1) AND ($2::text IS NULL OR model = $2)
       ORDER BY provider, model LIMIT $3`,
      [matchers.provider ?? null, matchers.model ?? null, limit],
    );
    if (Object.keys(matchers).some((k) => !(LLM_LABELS as readonly string[]).includes(k))) return [];
    return rows.map((r) => ({ name, labels: { provider: r.provider, model: r.model } }));
  }
  const rows = await db.query<{ name: string; labels: Record<string, string> }>(
    `SELECT name, labels FROM metric_series
     WHERE ($1::text IS NULL OR name = $1) AND labels @> $2::jsonb
     ORDER BY name, id LIMIT $3`,
    [name ?? null, JSON.stringify(matchers), limit],
  );
  return rows.map((r) => ({ name: r.name, labels: r.labels }));
}

/** SQL for an aggregation over samples aliased `m` (also used by rule-reads). */
export function aggregateSql(agg: Aggregation): string {
  switch (agg) {
    case 'avg':
    case 'min':
    case 'max':
    case 'sum':
      return `${agg}(m.value)`;
    case 'count':
      return 'count(*)::float8';
    case 'last':
      return '(array_agg(m.value ORDER BY m.time DESC))[1]';
    case 'p95':
      return 'percentile_cont(0.95) WITHIN GROUP (ORDER BY m.value)';
    case 'rate':
      // Per-second increase over the bucket, for counters.
      return `CASE WHEN count(*) > 1 THEN ((array_agg(m.value ORDER BY m.time DESC))[1]
                - (array_agg(m.value ORDER BY m.time))[1]) / nullif(extract(epoch FROM max(m.time) - min(m.time)), 0) END`;
  }
}

/** Points of every series matching name and labels between from and to (inclusive). */
export async function queryRange(db: Queryable, q: RangeQuery): Promise<RangeResult> {
  const maxPoints = q.maxPoints ?? 500_000;
  const matchers = q.matchers ?? {};
  const by = q.by;
  const rolledUp = q.rollups === false ? null : await rangeFromRollups(db, q, maxPoints);
  if (rolledUp) return rolledUp;
  let rows: RangeRow[];
  if (isLlmSignal(q.name)) {
    const step = q.stepMs ?? DEFAULT_LLM_STEP_MS;
    if (Object.keys(matchers).some((k) => !(LLM_LABELS as readonly string[]).includes(k))) {
      return { series: [], truncated: false };
    }
    const unknown = by?.find((l) => !(LLM_LABELS as readonly string[]).includes(l));
    if (unknown)
      throw new QueryError('by', `LLM signals are labelled by provider and model only, not ${unknown}`);
    rows = await llmSignalFromRaw(
      db,
      LLM_SIGNALS[q.name],
      { matchers, fromMs: q.fromMs, toMs: q.toMs, stepMs: step, by },
      maxPoints + 1,
    );
  } else {
    if (by && q.stepMs && q.agg === 'rate') {
      throw new QueryError('agg', 'rate cannot be combined with by (it is per series)');
    }
    // Label names travel as parameters, never as SQL text.
    const params: unknown[] = [q.name, JSON.stringify(matchers), q.fromMs, q.toMs];
    let labels = 's.labels';
    let key = 's.id::text';
    if (by) {
      const pairs = by.map((l) => {
        params.push(l);
        return `$${params.length}::text, s.labels->>$${params.length}::text`;
      });
      labels = pairs.length ? `jsonb_strip_nulls(jsonb_build_object(${pairs.join(', ')}))` : `'{}'::jsonb`;
      key = `${labels}::text`;
    }
    let ids = '';
    if (q.seriesIds) {
      params.push(q.seriesIds);
      ids = ` AND s.id = ANY($${params.length}::bigint[])`;
    }
    const where = `s.name = $1 AND s.labels @> $2::jsonb${ids}
         AND m.time >= to_timestamp($3 / 1000.0) AND m.time <= to_timestamp($4 / 1000.0)`;
    if (q.stepMs) {
      params.push(q.stepMs, maxPoints + 1);
      const step = `$${params.length - 1}`;
      const bucket = `floor(date_part('epoch', m.time) * 1000 / ${step}) * ${step}`;
      rows = by
        ? await db.query(
            `SELECT ${labels} AS labels, ${key} AS key, ${bucket} AS t, ${aggregateSql(q.agg ?? 'avg')} AS v
             FROM metric_series s JOIN metric_samples m ON m.series_id = s.id
             WHERE ${where}
             GROUP BY 1, 2, 3 ORDER BY 2, 3 LIMIT $${params.length}`,
            params,
          )
        : // Aggregate per series id first and attach labels afterwards: grouping by a jsonb
          // column costs several times more than grouping by the id.
          await db.query(
            `SELECT s.labels, a.key, a.t, a.v FROM (
               SELECT m.series_id, m.series_id::text AS key, ${bucket} AS t, ${aggregateSql(q.agg ?? 'avg')} AS v
               FROM metric_samples m
               WHERE m.series_id IN (SELECT s.id FROM metric_series s WHERE s.name = $1 AND s.labels @> $2::jsonb${ids})
                 AND m.time >= to_timestamp($3 / 1000.0) AND m.time <= to_timestamp($4 / 1000.0)
               GROUP BY m.series_id, 3) a
             JOIN metric_series s ON s.id = a.series_id
             ORDER BY a.series_id, a.t LIMIT $${params.length}`,
            params,
          );
    } else {
      params.push(maxPoints + 1);
      rows = await db.query(
        `SELECT ${labels} AS labels, ${key} AS key, date_part('epoch', m.time) * 1000 AS t, m.value AS v
         FROM metric_series s JOIN metric_samples m ON m.series_id = s.id
         WHERE ${where}
         ORDER BY 2, m.time LIMIT $${params.length}`,
        params,
      );
    }
  }
  return rowsToResult(q.name, rows, maxPoints);
}

/** Rows ordered by series key then time, at most maxPoints + 1 of them, as series of points. */
function rowsToResult(name: string, rows: RangeRow[], maxPoints: number): RangeResult {
  const truncated = rows.length > maxPoints;
  const bySeries = new Map<string, SeriesPoints>();
  for (const r of rows.slice(0, maxPoints)) {
    if (r.v === null) continue;
    let s = bySeries.get(r.key);
    if (!s) {
      s = { name, labels: r.labels, points: [] };
      bySeries.set(r.key, s);
    }
    s.points.push([Math.round(Number(r.t)), Number(r.v)]);
  }
  return { series: [...bySeries.values()], truncated };
}

/** What a read gets from the rollups, or null when it must read raw rows. */
async function rangeFromRollups(
  db: Queryable,
  q: RangeQuery,
  maxPoints: number,
): Promise<RangeResult | null> {
  const matchers = q.matchers ?? {};
  if (isLlmSignal(q.name)) {
    const stepMs = q.stepMs ?? DEFAULT_LLM_STEP_MS;
    const known = (l: string) => (LLM_LABELS as readonly string[]).includes(l);
    if (!Object.keys(matchers).every(known) || !(q.by ?? []).every(known)) return null; // the raw path answers
    const rows = await llmSignalFromRollups(
      db,
      q.name,
      {
        matchers,
        fromMs: q.fromMs,
        toMs: q.toMs,
        stepMs,
        by: q.by,
        exactP95MaxRequests: q.exactP95MaxRequests,
      },
      maxPoints + 1,
    );
    return rows && rowsToResult(q.name, rows, maxPoints);
  }
  if (!q.stepMs) return null;
  const read = {
    name: q.name,
    matchers,
    fromMs: q.fromMs,
    toMs: q.toMs,
    stepMs: q.stepMs,
    agg: q.agg ?? 'avg',
    seriesIds: q.seriesIds,
  };
  if (q.by) {
    const rows = await seriesRangeFromRollups(db, { ...read, by: q.by, limit: maxPoints + 1 });
    return rows && rowsToResult(q.name, rows, maxPoints);
  }
  const rolled = await seriesPointsFromRollups(db, read, maxPoints);
  if (!rolled) return null;
  const series = rolled.series.map((s) => ({ name: q.name, labels: s.labels, points: s.points }));
  return { series, truncated: rolled.truncated };
}
