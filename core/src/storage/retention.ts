import type { Database } from './database';
import {
  DROP_ROLLUP_TRIGGERS_SQL,
  ROLLUP_AGGREGATES,
  setupTimescaleRollups,
} from './rollups/timescale-rollups';
import { resolveTimescale, type TimescaleMode } from './timescale';

export interface RetentionOptions {
  /** Raw samples and LLM requests older than this are dropped. */
  retentionDays: number;
  /** With TimescaleDB, chunks older than this are compressed. */
  compressAfterDays: number;
  /** TIMESCALEDB (default auto). */
  timescaledb?: TimescaleMode;
  /** Told once why TimescaleDB is not used when auto falls back to plain tables on a server. */
  warn?: (message: string) => void;
}

/** Statements that turn the time-series tables into hypertables with compression and retention. */
export function timescaleSetupSql({ retentionDays, compressAfterDays }: RetentionOptions): string[] {
  const days = (n: number) => `INTERVAL '${Math.max(1, Math.floor(n))} days'`;
  const out = [...DROP_ROLLUP_TRIGGERS_SQL];
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

const ROLLUP_TABLES = ROLLUP_AGGREGATES.map((a) => a.name);

export type RetentionMode = 'timescaledb' | 'job';

/**
 * Applies TimescaleDB (hypertables, compression and retention policies, continuous aggregates)
 * when TIMESCALEDB allows and the extension can be created; otherwise the caller runs
 * deleteExpired() periodically (plain indexed tables with trigger-maintained rollups).
 * TIMESCALEDB=on throws a ConfigError saying why it cannot be used.
 */
export async function setupRetention(db: Database, options: RetentionOptions): Promise<RetentionMode> {
  const status = await resolveTimescale(db, options.timescaledb ?? 'auto');
  if (!status.enabled) {
    if (db.driver === 'postgres' && options.timescaledb !== 'off')
      options.warn?.(`TimescaleDB not used, carrying on with plain tables: ${status.reason}`);
    return 'job';
  }
  for (const sql of timescaleSetupSql(options)) await db.query(sql);
  await setupTimescaleRollups(db, options.retentionDays);
  return 'timescaledb';
}

/** The retention job for plain tables: deletes rows older than retentionDays. */
export async function deleteExpired(db: Database, retentionDays: number, now = new Date()): Promise<number> {
  // On an hour boundary: every rollup bucket is then wholly kept or wholly dropped with its rows.
  const cutoff = new Date(Math.floor((now.getTime() - retentionDays * 86_400_000) / 3_600_000) * 3_600_000);
  let deleted = 0;
  for (const table of ['metric_samples', 'llm_requests', 'training_events']) {
    const rows = await db.query<{ n: string }>(
      `WITH d AS (DELETE FROM ${table} WHERE time < $1 RETURNING 1) SELECT count(*) AS n FROM d`,
      [cutoff],
    );
    deleted += Number(rows[0]?.n ?? 0);
  }
  // Maintained rollups go with the raw rows they summarise (continuous aggregates have policies).
  const tables = await db.query<{ name: string }>(
    "SELECT relname AS name FROM pg_class WHERE relname = ANY($1::text[]) AND relkind = 'r'",
    [ROLLUP_TABLES],
  );
  for (const { name } of tables) await db.query(`DELETE FROM ${name} WHERE bucket < $1`, [cutoff]);
  await db.query('DELETE FROM idempotency_keys WHERE created_at < $1', [
    new Date(now.getTime() - 86_400_000),
  ]);
  return deleted;
}
