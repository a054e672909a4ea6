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
  /**
   * p95s come from raw rows (exact) when the window holds at most this many requests, else from
   * the histograms; default EXACT_P95_MAX_REQUESTS, 0 always reads the histograms.
   */
  exactP95MaxRequests?: number;
}

/**
 * Up to this many requests in a window (as counted by llm_rollup_1m over the plan's rollup
 * spans), a p95 read sorts the raw rows: percentile_cont is exact and, at low traffic, cheaper
 * than summing histograms whose rows are about as many as the requests. Measured on plain
 * PostgreSQL 15, 24 h of 3 models (latency 200–1000 ms), median ms raw-exact / histograms:
 * llm_latency_ms_p95 step 5m 23/38 at 20k requests, 66/94 at 50k, 102/98 at 100k, 210/210 at
 * 200k, 920/340 at 1M; /v1/llm/summary totals 12/17, 42/30, 43/48, 88/85, 566/134 (noisy box).
 */
export const EXACT_P95_MAX_REQUESTS = 100_000;

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
/** The raw path's p95 (queries.ts LLM_SIGNALS), for the exact small-window path. */
const exactP95Sql = (kind: 'latency' | 'ttft') => `percentile_cont(0.95) WITHIN GROUP (ORDER BY ${kind}_ms)`;

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

const exactP95Limit = (q: { exactP95MaxRequests?: number }) =>
  q.exactP95MaxRequests ?? EXACT_P95_MAX_REQUESTS;

/** The requests in the plan's rollup spans (the raw fringes left out: an estimate is enough). */
async function requestsInRollupSpans(db: Queryable, p: ReadPlan, q: LlmRollupQuery): Promise<number> {
  const params: unknown[] = [q.matchers.provider ?? null, q.matchers.model ?? null];
  const spans = p.rollups.map((s) => `(${rollupSpanSql(s, params)})`).join(' OR ');
  const [row] = await db.query<{ n: string | number | null }>(
    `SELECT sum(requests) AS n FROM llm_rollup_1m WHERE ${FILTER} AND (${spans})`,
    params,
  );
  return Number(row?.n ?? 0);
}

/** queryRange's raw rows for an LLM signal: `value` (SQL over llm_requests) per group and step. */
export function llmSignalFromRaw(
  db: Queryable,
  value: string,
  q: LlmRollupQuery,
  limit: number,
): Promise<RangeRow[]> {
  const { cols, labels } = grouping(q.by);
  const groups = [...cols, 't'].join(', ');
  return db.query<RangeRow>(
    `SELECT ${labels} AS labels, ${labels}::text AS key,
            floor(date_part('epoch', time) * 1000 / $3) * $3 AS t, ${value} AS v
     FROM llm_requests
     WHERE time >= to_timestamp($1 / 1000.0) AND time <= to_timestamp($2 / 1000.0)
       AND ($4::text IS NULL OR provider = $4) AND ($5::text IS NULL OR model = $5)
     GROUP BY ${groups} ORDER BY ${groups} LIMIT $6`,
    [q.fromMs, q.toMs, q.stepMs, q.matchers.provider ?? null, q.matchers.model ?? null, limit],
  );
}

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
  if (kind) {
    const max = exactP95Limit(q);
    if (max > 0 && (await requestsInRollupSpans(db, p, q)) <= max) {
      return llmSignalFromRaw(db, exactP95Sql(kind), q, limit);
    }
    return quantileRows(db, p, kind, q, limit);
  }
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

/** jsonb's key order (shorter keys first, then bytewise): labels as the raw path prints them. */
const jsonbKeyOrder = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Per output series and step: the summed histogram and the exact extremes, one query. It sums
 * per label columns (text), step and bucket in SQL and sends one text list per series and kind
 * ("t,idx,n,…" for the counts, "t,lo,hi,…" for the extremes): building a jsonb label object per
 * row and one result row per (step, bucket) cost more than the scan.
 */
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
  const { cols } = grouping(q.by);
  params.push(q.stepMs);
  const step = `$${params.length}`;
  const t = `floor(date_part('epoch', time) * 1000 / ${step}) * ${step}`;
  const select = cols.map((c) => `${c}, `).join('');
  const per = (extra: string) => `GROUP BY ${[...cols, extra].join(', ')}`;
  const perSeries = cols.length ? `GROUP BY ${cols.join(', ')}` : '';
  const rows = await db.query<Record<string, string | null>>(
    `WITH h (provider, model, time, idx, n) AS (${counts}),
          e (provider, model, time, lo, hi) AS (${extremes})
     SELECT ${select}0 AS kind, string_agg(concat_ws(',', t, idx, n), ',') AS a
     FROM (SELECT ${select}${t} AS t, idx, sum(n) AS n FROM h ${per('t, idx')}) hs ${perSeries}
     UNION ALL
     SELECT ${select}1 AS kind, string_agg(concat_ws(',', t, lo, hi), ',') AS a
     FROM (SELECT ${select}${t} AS t, min(lo) AS lo, max(hi) AS hi FROM e ${per('t')}) es ${perSeries}`,
    params,
  );
  const keys = [...cols].sort(jsonbKeyOrder);
  const out = new Map<string, { labels: Record<string, string>; t: number; h: Histogram }>();
  for (const r of rows) {
    if (r.a === null) continue; // no rows at all (no label columns to group by)
    const labels = Object.fromEntries(keys.map((c) => [c, String(r[c])]));
    const key = JSON.stringify(labels);
    const values = r.a.split(',');
    const isCounts = Number(r.kind) === 0;
    let at = NaN;
    let entry: { labels: Record<string, string>; t: number; h: Histogram } | undefined;
    for (let k = 0; k < values.length; k += 3) {
      const tk = Number(values[k]);
      if (tk !== at || !entry) {
        at = tk;
        const id = `${key}\u0000${tk}`;
        entry = out.get(id);
        if (!entry) {
          entry = { labels, t: tk, h: { counts: new Map(), min: Infinity, max: -Infinity } };
          out.set(id, entry);
        }
      }
      const x = Number(values[k + 1]);
      const y = Number(values[k + 2]);
      if (isCounts) entry.h.counts.set(x, (entry.h.counts.get(x) ?? 0) + y);
      else {
        entry.h.min = Math.min(entry.h.min, x);
        entry.h.max = Math.max(entry.h.max, y);
      }
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
  options: { exactP95MaxRequests?: number } = {},
): Promise<LlmModelTotals[] | null> {
  const q: LlmRollupQuery = { matchers: {}, fromMs, toMs, stepMs: WHOLE_WINDOW_MS, ...options };
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
  // The totals count every request of the window: few of them → exact p95s from raw rows.
  const max = exactP95Limit(q);
  if (max > 0 && rows.reduce((n, r) => n + Number(r.requests), 0) <= max) {
    const exact = await db.query<Record<string, string | number | null>>(
      `SELECT provider, model, ${exactP95Sql('latency')} AS latency_ms_p95, ${exactP95Sql('ttft')} AS ttft_ms_p95
       FROM llm_requests WHERE time >= to_timestamp($1 / 1000.0) AND time <= to_timestamp($2 / 1000.0)
       GROUP BY provider, model`,
      [fromMs, toMs],
    );
    const byModel = new Map(exact.map((r) => [`${r.provider}\u0000${r.model}`, r]));
    return rows.map((r) => {
      const e = byModel.get(`${r.provider}\u0000${r.model}`);
      return toModelTotals({
        ...r,
        latency_ms_p95: e?.latency_ms_p95 ?? null,
        ttft_ms_p95: e?.ttft_ms_p95 ?? null,
      });
    });
  }
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
