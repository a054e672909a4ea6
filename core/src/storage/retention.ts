import type { Database } from './database';

export interface RetentionOptions {
  /** Raw samples and LLM requests older than this are dropped. */
  retentionDays: number;
  /** With TimescaleDB, chunks older than this are compressed. */
  compressAfterDays: number;
}

/**
 * True when the server offers the timescaledb extension and preloads it (never on PGlite):
 * installed but not in shared_preload_libraries, CREATE EXTENSION would fail.
 */
export async function timescaleAvailable(db: Database): Promise<boolean> {
  if (db.driver !== 'postgres') return false;
  const rows = await db.query(
    `SELECT 1 FROM pg_available_extensions
     WHERE name = 'timescaledb' AND current_setting('shared_preload_libraries') LIKE '%timescaledb%'`,
  );
  return rows.length > 0;
}

/** Statements that turn the time-series tables into hypertables with compression and retention. */
export function timescaleSetupSql({ retentionDays, compressAfterDays }: RetentionOptions): string[] {
  const days = (n: number) => `INTERVAL '${Math.max(1, Math.floor(n))} days'`;
  const out = ['CREATE EXTENSION IF NOT EXISTS timescaledb'];
  for (const [table, segmentBy] of [
    ['metric_samples', 'series_id'],
    ['llm_requests', 'provider, model'],
  ]) {
    out.push(
      `SELECT create_hypertable('${table}', 'time', chunk_time_interval => INTERVAL '1 day', migrate_data => true, if_not_exists => true)`,
      `ALTER TABLE ${table} SET (timescaledb.compress, timescaledb.compress_segmentby = '${segmentBy}', timescaledb.compress_orderby = 'time DESC')`,
      `SELECT add_compression_policy('${table}', ${days(compressAfterDays)}, if_not_exists => true)`,
      `SELECT add_retention_policy('${table}', ${days(retentionDays)}, if_not_exists => true)`,
    );
  }
  return out;
}

export type RetentionMode = 'timescaledb' | 'job';

/**
 * Applies TimescaleDB policies when the extension exists; otherwise the caller runs
 * deleteExpired() periodically (plain indexed tables).
 */
export async function setupRetention(db: Database, options: RetentionOptions): Promise<RetentionMode> {
  if (!(await timescaleAvailable(db))) return 'job';
  for (const sql of timescaleSetupSql(options)) await db.query(sql);
  return 'timescaledb';
}

/** The retention job for plain tables: deletes rows older than retentionDays. */
export async function deleteExpired(db: Database, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  let deleted = 0;
  for (const table of ['metric_samples', 'llm_requests', 'training_events']) {
    const rows = await db.query<{ n: string }>(
      `WITH d AS (DELETE FROM ${table} WHERE time < $1 RETURNING 1) SELECT count(*) AS n FROM d`,
      [cutoff],
    );
    deleted += Number(rows[0]?.n ?? 0);
  }
  await db.query('DELETE FROM idempotency_keys WHERE created_at < $1', [
    new Date(now.getTime() - 86_400_000),
  ]);
  return deleted;
}
