import type { Queryable } from '../database';
import { histogramBucketSql, histogramQuantile, type Histogram } from './latency-histogram';
import { MINUTE_MS, planRollupRead, rawSpanSql, rollupSpanSql, type ReadPlan } from './plan';
import type { RangeRow } from './series-rollups';

/**
 * LLM signals and totals from the per-minute llm_requests rollups plus raw rows at the edges.
 * Counts, sums and rates combine exactly; p95s come from the log-bucket histograms (within
 * about 1 % of percentile_cont, exact for a constant latency).
 */
export interface LlmRollupQuery {
  matchers: { provider?: string; model?: string };
  fromMs: number;
  toMs: number;
  stepMs: number;
  /** Group by these of provider and model (all of them when absent). */
  by?: string[];
}

/** Exact combinations of the rollup columns, per signal. */
const ADDITIVE: Record<string, string> = {
  llm_requests: 'sum(p.requests)::float8',
  llm_error_rate: '100.0 * sum(p.errors) / sum(p.requests)',
  llm_tokens: 'sum(p.input_tokens + p.output_tokens)::float8',
  llm_cost_usd: 'sum(p.cost_usd)',
  llm_cache_hit_rate: '100.0 * sum(p.cache_hits) / sum(p.requests)',
};
const QUANTILE_OF: Record<string, 'latency' | 'ttft'> = {
  llm_latency_ms_p95: 'latency',
  llm_ttft_ms_p95: 'ttft',
};

const FILTER = '($1::text IS NULL OR provider = $1) AND ($2::text IS NULL OR model = $2)';
const COLUMNS =
  'provider, model, time, requests, errors, input_tokens, output_tokens, cache_hits, unpriced, cost_usd';

function partsSql(plan: ReadPlan, params: unknown[]): string {
  return [
    ...plan.rollups.map(
      (
        s,
      ) => `SELECT provider, model, bucket, requests, errors, input_tokens, output_tokens, cache_hits, unpriced, cost_usd
        FROM llm_rollup_1m WHERE ${FILTER} AND ${rollupSpanSql(s, params)}`,
    ),
    ...plan.raw.map(
      (
        s,
      ) => `SELECT provider, model, time, 1::bigint, (status = 'error')::int::bigint, input_tokens, output_tokens,
          cache_hit::int::bigint, (NOT priced)::int::bigint, cost_usd
        FROM llm_requests WHERE ${FILTER} AND ${rawSpanSql('time', s, params)}`,
    ),
  ].join('\nUNION ALL\n');
}

function grouping(by: string[] | undefined) {
  const cols = by ?? ['provider', 'model'];
  const labels = cols.length
    ? `jsonb_build_object(${cols.map((c) => `'${c}', ${c}`).join(', ')})`
    : `'{}'::jsonb`;
  return { cols, labels };
}

const plan = (q: LlmRollupQuery) => planRollupRead(q.fromMs, q.toMs, q.stepMs, [MINUTE_MS]);

/** queryRange's rows for an LLM signal, or null when the rollups cannot answer it. */
export async function llmSignalFromRollups(
  db: Queryable,
  name: string,
  q: LlmRollupQuery,
  limit: number,
): Promise<RangeRow[] | null> {
  const p = plan(q);
  if (!p) return null;
  const kind = QUANTILE_OF[name];
  if (kind) return quantileRows(db, p, kind, q, limit);
  const final = ADDITIVE[name];
  if (!final) return null;
  const params: unknown[] = [q.matchers.provider ?? null, q.matchers.model ?? null];
  const parts = partsSql(p, params);
  const { cols, labels } = grouping(q.by);
  params.push(q.stepMs, limit);
  const step = `$${params.length - 1}`;
  const groups = [...cols, 't'].join(', ');
  return db.query<RangeRow>(
    `WITH p (${COLUMNS}) AS (${parts})
     SELECT ${labels} AS labels, ${labels}::text AS key,
            floor(date_part('epoch', p.time) * 1000 / ${step}) * ${step} AS t, ${final} AS v
     FROM p GROUP BY ${groups} ORDER BY ${groups} LIMIT $${params.length}`,
    params,
  );
}

interface HistogramRow {
  labels: Record<string, string>;
  key: string;
  t: number | string;
  idx: number | null;
  n: string | number | null;
  lo: number | null;
  hi: number | null;
}

/** Per output series and step: the summed histogram and the exact extremes, one query. */
async function histograms(
  db: Queryable,
  p: ReadPlan,
  kind: 'latency' | 'ttft',
  q: LlmRollupQuery,
): Promise<Map<string, { labels: Record<string, string>; t: number; h: Histogram }>> {
  const params: unknown[] = [q.matchers.provider ?? null, q.matchers.model ?? null];
  const column = `${kind}_ms`;
  const counts = [
    ...p.rollups.map(
      (s) => `SELECT provider, model, bucket, idx, n FROM llm_${kind}_hist_1m
        WHERE ${FILTER} AND ${rollupSpanSql(s, params)}`,
    ),
    ...p.raw.map(
      (s) => `SELECT provider, model, time, ${histogramBucketSql(column)}, 1::bigint FROM llm_requests
        WHERE ${column} IS NOT NULL AND ${FILTER} AND ${rawSpanSql('time', s, params)}`,
    ),
  ].join('\nUNION ALL\n');
  const extremes = [
    ...p.rollups.map(
      (s) => `SELECT provider, model, bucket, ${kind}_min, ${kind}_max FROM llm_rollup_1m
        WHERE ${kind}_n > 0 AND ${FILTER} AND ${rollupSpanSql(s, params)}`,
    ),
    ...p.raw.map(
      (s) => `SELECT provider, model, time, ${column}, ${column} FROM llm_requests
        WHERE ${column} IS NOT NULL AND ${FILTER} AND ${rawSpanSql('time', s, params)}`,
    ),
  ].join('\nUNION ALL\n');
  const { cols, labels } = grouping(q.by);
  params.push(q.stepMs);
  const step = `$${params.length}`;
  const t = `floor(date_part('epoch', time) * 1000 / ${step}) * ${step}`;
  const groups = [...cols, 't'].join(', ');
  const rows = await db.query<HistogramRow>(
    `WITH h (provider, model, time, idx, n) AS (${counts}),
          e (provider, model, time, lo, hi) AS (${extremes})
     SELECT ${labels} AS labels, ${labels}::text AS key, ${t} AS t, idx, sum(n) AS n, NULL::float8 AS lo, NULL::float8 AS hi
     FROM h GROUP BY ${groups}, idx
     UNION ALL
     SELECT ${labels}, ${labels}::text, ${t} AS t, NULL, NULL, min(lo), max(hi) FROM e GROUP BY ${groups}`,
    params,
  );
  const out = new Map<string, { labels: Record<string, string>; t: number; h: Histogram }>();
  for (const r of rows) {
    const id = `${r.key}\u0000${Number(r.t)}`;
    let entry = out.get(id);
    if (!entry) {
      entry = { labels: r.labels, t: Number(r.t), h: { counts: new Map(), min: Infinity, max: -Infinity } };
      out.set(id, entry);
    }
    if (r.idx !== null) entry.h.counts.set(Number(r.idx), Number(r.n));
    else {
      entry.h.min = Number(r.lo);
      entry.h.max = Number(r.hi);
    }
  }
  return out;
}

async function quantileRows(
  db: Queryable,
  p: ReadPlan,
  kind: 'latency' | 'ttft',
  q: LlmRollupQuery,
  limit: number,
): Promise<RangeRow[]> {
  const rows: RangeRow[] = [];
  for (const { labels, t, h } of (await histograms(db, p, kind, q)).values()) {
    rows.push({ labels, key: JSON.stringify(labels), t, v: histogramQuantile(h, 0.95) });
  }
  // The raw path's order: by the label columns, then time.
  const order = (r: RangeRow) => grouping(q.by).cols.map((c) => r.labels[c] ?? '');
  rows.sort((a, b) => {
    const ka = order(a);
    const kb = order(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return Number(a.t) - Number(b.t);
  });
  return rows.slice(0, limit);
}

export interface LlmModelTotals {
  provider: string;
  model: string;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  unpriced_requests: number;
  cache_hits: number;
  latency_ms_p95: number | null;
  ttft_ms_p95: number | null;
}

// One step wider than any epoch-ms timestamp: the whole window is one bucket.
const WHOLE_WINDOW_MS = 1e13;

/** Totals per provider/model over [from, to] from the rollups; null when the window is too short. */
export async function llmTotalsFromRollups(
  db: Queryable,
  fromMs: number,
  toMs: number,
): Promise<LlmModelTotals[] | null> {
  const q: LlmRollupQuery = { matchers: {}, fromMs, toMs, stepMs: WHOLE_WINDOW_MS };
  const p = plan(q);
  if (!p) return null;
  const params: unknown[] = [null, null];
  const parts = partsSql(p, params);
  const rows = await db.query<Record<string, string | number | null>>(
    `WITH p (${COLUMNS}) AS (${parts})
     SELECT provider, model, sum(requests) AS requests, sum(errors) AS errors, sum(input_tokens) AS input_tokens,
            sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd, sum(unpriced) AS unpriced,
            sum(cache_hits) AS cache_hits
     FROM p GROUP BY provider, model`,
    params,
  );
  const [latency, ttft] = [await histograms(db, p, 'latency', q), await histograms(db, p, 'ttft', q)];
  const p95 = (
    m: Map<string, { labels: Record<string, string>; h: Histogram }>,
    provider: unknown,
    model: unknown,
  ) => {
    for (const e of m.values())
      if (e.labels.provider === provider && e.labels.model === model) return histogramQuantile(e.h, 0.95);
    return null;
  };
  return rows.map((r) =>
    toModelTotals({
      ...r,
      latency_ms_p95: p95(latency, r.provider, r.model),
      ttft_ms_p95: p95(ttft, r.provider, r.model),
    }),
  );
}

/** A per provider/model row of sums (and p95s) as numbers, from either path. */
export function toModelTotals(r: Record<string, string | number | null>): LlmModelTotals {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    provider: String(r.provider),
    model: String(r.model),
    requests: Number(r.requests),
    errors: Number(r.errors),
    input_tokens: Number(r.input_tokens ?? 0),
    output_tokens: Number(r.output_tokens ?? 0),
    cost_usd: num(r.cost_usd),
    unpriced_requests: Number(r.unpriced),
    cache_hits: Number(r.cache_hits),
    latency_ms_p95: num(r.latency_ms_p95),
    ttft_ms_p95: num(r.ttft_ms_p95),
  };
}
