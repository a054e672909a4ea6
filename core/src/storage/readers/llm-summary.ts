import type { Queryable } from '../database';
import { llmTotalsFromRollups, toModelTotals, type LlmModelTotals } from '../rollups/llm-rollups';

/** GET /v1/llm/summary: per provider/model and overall, over [from, to]. */
export interface LlmSummary {
  totals: {
    requests: number;
    errors: number;
    error_rate: number;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number;
    unpriced_requests: number;
  };
  models: {
    provider: string;
    model: string;
    requests: number;
    errors: number;
    error_rate: number;
    input_tokens: number;
    output_tokens: number;
    cost_usd: number;
    unpriced_requests: number;
    latency_ms_p95: number | null;
    ttft_ms_p95: number | null;
    cache_hit_rate: number | null;
  }[];
}

async function rawTotals(db: Queryable, fromMs: number, toMs: number): Promise<LlmModelTotals[]> {
  const rows = await db.query<Record<string, string | number | null>>(
    `SELECT provider, model, count(*) AS requests,
            count(*) FILTER (WHERE status = 'error') AS errors,
            sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
            sum(cost_usd) AS cost_usd, count(*) FILTER (WHERE NOT priced) AS unpriced,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS latency_ms_p95,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY ttft_ms) AS ttft_ms_p95,
            count(*) FILTER (WHERE cache_hit) AS cache_hits
     FROM llm_requests WHERE time >= to_timestamp($1 / 1000.0) AND time <= to_timestamp($2 / 1000.0)
     GROUP BY provider, model`,
    [fromMs, toMs],
  );
  return rows.map(toModelTotals);
}

/**
 * Totals of LLM requests in [fromMs, toMs], from the rollups unless `rollups` is false or the
 * window is short; p95s exact up to exactP95MaxRequests requests (see llmTotalsFromRollups).
 */
export async function llmSummary(
  db: Queryable,
  q: { fromMs: number; toMs: number; rollups?: boolean; exactP95MaxRequests?: number },
): Promise<LlmSummary> {
  const totals =
    (q.rollups === false
      ? null
      : await llmTotalsFromRollups(db, q.fromMs, q.toMs, { exactP95MaxRequests: q.exactP95MaxRequests })) ??
    (await rawTotals(db, q.fromMs, q.toMs));
  // Most expensive first (unpriced last), then by name.
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  totals.sort(
    (a, b) =>
      (b.cost_usd ?? -Infinity) - (a.cost_usd ?? -Infinity) ||
      byText(a.provider, b.provider) ||
      byText(a.model, b.model),
  );
  const models = totals.map((m) => ({
    provider: m.provider,
    model: m.model,
    requests: m.requests,
    errors: m.errors,
    error_rate: m.requests ? m.errors / m.requests : 0,
    input_tokens: m.input_tokens,
    output_tokens: m.output_tokens,
    cost_usd: m.cost_usd ?? 0,
    unpriced_requests: m.unpriced_requests,
    latency_ms_p95: m.latency_ms_p95,
    ttft_ms_p95: m.ttft_ms_p95,
    cache_hit_rate: m.requests ? m.cache_hits / m.requests : null,
  }));
  const sum = (
    k: 'requests' | 'errors' | 'input_tokens' | 'output_tokens' | 'cost_usd' | 'unpriced_requests',
  ) => models.reduce((a, m) => a + m[k], 0);
  return {
    totals: {
      requests: sum('requests'),
      errors: sum('errors'),
      error_rate: sum('requests') ? sum('errors') / sum('requests') : 0,
      input_tokens: sum('input_tokens'),
      output_tokens: sum('output_tokens'),
      cost_usd: sum('cost_usd'),
      unpriced_requests: sum('unpriced_requests'),
    },
    models,
  };
}
