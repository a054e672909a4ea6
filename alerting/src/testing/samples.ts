import type { Queryable } from '@aihub/core';

/** Test helper: stores points of one series the way the collector does (metric_series + metric_samples). */
export async function insertSamples(
  db: Queryable,
  name: string,
  labels: Record<string, string>,
  points: [number, number][],
): Promise<void> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO metric_series (name, labels) VALUES ($1, $2::jsonb)
     ON CONFLICT (name, labels) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    [name, JSON.stringify(labels)],
  );
  const id = rows[0].id;
  await db.query(
    `INSERT INTO metric_samples (time, series_id, value)
     SELECT to_timestamp(t / 1000.0), $1, v FROM unnest($2::float8[], $3::float8[]) AS x(t, v)`,
    [id, points.map((p) => p[0]), points.map((p) => p[1])],
  );
}

/** Test helper: LLM request rows (what the llm_* derived signals are computed from). */
export async function insertLlmRequests(
  db: Queryable,
  rows: {
    time: number;
    provider: string;
    model: string;
    status?: 'ok' | 'error';
    latency_ms?: number;
    cost_usd?: number;
    input_tokens?: number;
    output_tokens?: number;
    user_id?: string;
    organization_id?: string;
    tags?: Record<string, string>;
  }[],
): Promise<void> {
  await db.query(
    `INSERT INTO llm_requests (time, provider, model, status, latency_ms, cost_usd, input_tokens, output_tokens, user_id, organization_id, tags)
     SELECT to_timestamp(x.time / 1000.0), x.provider, x.model, coalesce(x.status, 'ok'), x.latency_ms, x.cost_usd,
            coalesce(x.input_tokens, 0), coalesce(x.output_tokens, 0), x.user_id, x.organization_id, coalesce(x.tags, '{}'::jsonb)
     FROM jsonb_to_recordset($1::jsonb) AS x(time float8, provider text, model text, status text, latency_ms float8, cost_usd float8,
          input_tokens bigint, output_tokens bigint, user_id text, organization_id text, tags jsonb)`,
    [JSON.stringify(rows)],
  );
}
