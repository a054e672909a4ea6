import type { TestCollector } from './test-collector';

/** Row counts of every table a push writes to: "nothing stored" means these do not move. */
export async function storedCounts(c: TestCollector): Promise<Record<string, number>> {
  const db = c.collector.context.db;
  const out: Record<string, number> = {};
  for (const t of [
    'metric_series',
    'metric_samples',
    'llm_requests',
    'training_events',
    'training_runs',
    'idempotency_keys',
  ]) {
    const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`);
    out[t] = Number(rows[0].n);
  }
  return out;
}
