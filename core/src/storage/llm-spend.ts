import type { Queryable } from './database';

/** Columns of llm_requests a spend scope may select on or split by (DESIGN.md "Budgets"). */
export const LLM_SCOPE_COLUMNS = ['provider', 'model', 'user_id', 'organization_id', 'operation'] as const;
export type LlmScopeColumn = (typeof LLM_SCOPE_COLUMNS)[number];

/** Which LLM requests count: column equality plus request labels (the `tags` of a push). */
export interface LlmScope {
  columns?: Partial<Record<LlmScopeColumn, string>>;
  labels?: Record<string, string>;
}

/** A `by` key: a column, or `labels.<name>` for a request label. */
export type LlmSplitKey = LlmScopeColumn | `labels.${string}`;

export interface LlmSpend {
  /** The `by` values of this group, keyed as given in `by`. */
  values: Record<string, string>;
  usd: number;
  tokens: number;
}

const isColumn = (k: string): k is LlmScopeColumn => (LLM_SCOPE_COLUMNS as readonly string[]).includes(k);

/** WHERE clause (and its parameters, appended to params) of a scope over [from, to). */
function scopeWhere(scope: LlmScope, params: unknown[]): string {
  const parts = ['time >= to_timestamp($1 / 1000.0)', 'time < to_timestamp($2 / 1000.0)'];
  for (const [col, value] of Object.entries(scope.columns ?? {})) {
    if (value === undefined) continue;
    if (!isColumn(col)) throw new Error(`not an LLM scope column: ${col}`);
    params.push(value);
    parts.push(`${col} = $${params.length}`);
  }
  if (scope.labels && Object.keys(scope.labels).length) {
    params.push(JSON.stringify(scope.labels));
    parts.push(`tags @> $${params.length}::jsonb`);
  }
  return parts.join(' AND ');
}

/**
 * Cost and tokens of the scope's requests in [fromMs, toMs), one row per combination of the
 * `by` values; requests missing a `by` value belong to no group. One aggregate query, whatever
 * the number of groups. Identifiers come from the fixed column list; label names are parameters.
 */
export async function llmSpendBy(
  db: Queryable,
  scope: LlmScope,
  by: LlmSplitKey[],
  fromMs: number,
  toMs: number,
): Promise<LlmSpend[]> {
  const params: unknown[] = [fromMs, toMs];
  const where = [scopeWhere(scope, params)];
  const exprs = by.map((k) => {
    if (isColumn(k)) return k;
    const label = k.slice('labels.'.length);
    params.push(label);
    return `tags->>$${params.length}::text`;
  });
  for (const e of exprs) where.push(`${e} IS NOT NULL`);
  const select = exprs.map((e, i) => `${e} AS k${i}`);
  const rows = await db.query<Record<string, string | number | null>>(
    `SELECT ${[...select, 'coalesce(sum(cost_usd), 0)::float8 AS usd', 'coalesce(sum(input_tokens + output_tokens), 0)::float8 AS tokens'].join(', ')}
     FROM llm_requests WHERE ${where.join(' AND ')}
     ${exprs.length ? `GROUP BY ${exprs.map((_e, i) => i + 1).join(', ')}` : ''}`,
    params,
  );
  // Without `by` the aggregate always yields one row (0 when nothing matched): one instance.
  return rows.map((r) => ({
    values: Object.fromEntries(by.map((k, i) => [k, String(r[`k${i}`])])),
    usd: Number(r.usd),
    tokens: Number(r.tokens),
  }));
}

/** Spend per UTC hour (bucket start, epoch ms) of the scope's requests in [fromMs, toMs). */
export async function llmHourlySpend(
  db: Queryable,
  scope: LlmScope,
  fromMs: number,
  toMs: number,
): Promise<{ hour: number; usd: number; tokens: number }[]> {
  const params: unknown[] = [fromMs, toMs];
  const where = scopeWhere(scope, params);
  const rows = await db.query<{ hour: string | number; usd: string | number; tokens: string | number }>(
    `SELECT floor(date_part('epoch', time) / 3600) * 3600000 AS hour,
            coalesce(sum(cost_usd), 0)::float8 AS usd, coalesce(sum(input_tokens + output_tokens), 0)::float8 AS tokens
     FROM llm_requests WHERE ${where} GROUP BY 1 ORDER BY 1`,
    params,
  );
  return rows.map((r) => ({ hour: Number(r.hour), usd: Number(r.usd), tokens: Number(r.tokens) }));
}
