import type { Database } from '../database';
import { histogramBucketSql } from './latency-histogram';

/**
 * On TimescaleDB the rollup tables of migration 0004 become continuous aggregates with the
 * same names and columns, with real-time aggregation (buckets newer than the last refresh are
 * computed from raw rows at read time). A policy refreshes every minute over the whole history
 * (start_offset NULL), so late data into a materialised bucket is folded in at its next run.
 */
interface Aggregate {
  name: string;
  /** How far behind now materialisation stops: the open bucket stays real-time. */
  endOffset: string;
  select: string;
}

const seriesAggregate = (name: string, width: string): Aggregate => ({
  name,
  endOffset: width,
  select: `SELECT series_id, time_bucket(INTERVAL '${width}', time) AS bucket, count(*) AS n, sum(value) AS sum,
      min(value) AS min, max(value) AS max, max(time) AS last_time, last(value, time) AS last_value
    FROM metric_samples GROUP BY series_id, time_bucket(INTERVAL '${width}', time)`,
});

const histogramAggregate = (name: string, column: string): Aggregate => ({
  name,
  endOffset: '1 minute',
  select: `SELECT provider, model, time_bucket(INTERVAL '1 minute', time) AS bucket,
      ${histogramBucketSql(column)} AS idx, count(*) AS n
    FROM llm_requests WHERE ${column} IS NOT NULL
    GROUP BY provider, model, time_bucket(INTERVAL '1 minute', time), ${histogramBucketSql(column)}`,
});

export const ROLLUP_AGGREGATES: Aggregate[] = [
  seriesAggregate('metric_rollup_1m', '1 minute'),
  seriesAggregate('metric_rollup_5m', '5 minutes'),
  seriesAggregate('metric_rollup_1h', '1 hour'),
  {
    name: 'llm_rollup_1m',
    endOffset: '1 minute',
    select: `SELECT provider, model, time_bucket(INTERVAL '1 minute', time) AS bucket,
        count(*) AS requests, count(*) FILTER (WHERE status = 'error') AS errors,
        sum(input_tokens) AS input_tokens, sum(output_tokens) AS output_tokens,
        count(*) FILTER (WHERE cache_hit) AS cache_hits, count(*) FILTER (WHERE NOT priced) AS unpriced,
        sum(cost_usd) AS cost_usd, sum(latency_ms) AS latency_sum, count(latency_ms) AS latency_n,
        min(latency_ms) AS latency_min, max(latency_ms) AS latency_max,
        sum(ttft_ms) AS ttft_sum, count(ttft_ms) AS ttft_n, min(ttft_ms) AS ttft_min, max(ttft_ms) AS ttft_max
      FROM llm_requests GROUP BY provider, model, time_bucket(INTERVAL '1 minute', time)`,
  },
  histogramAggregate('llm_latency_hist_1m', 'latency_ms'),
  histogramAggregate('llm_ttft_hist_1m', 'ttft_ms'),
];

/** Before the tables become hypertables: hypertables take no transition-table triggers. */
export const DROP_ROLLUP_TRIGGERS_SQL = [
  'DROP TRIGGER IF EXISTS metric_samples_rollups ON metric_samples',
  'DROP TRIGGER IF EXISTS llm_requests_rollups ON llm_requests',
];

/** Replaces the maintained rollup tables by continuous aggregates (once) and sets their policies. */
export async function setupTimescaleRollups(db: Database, retentionDays: number): Promise<void> {
  const days = `INTERVAL '${Math.max(1, Math.floor(retentionDays))} days'`;
  for (const a of ROLLUP_AGGREGATES) {
    const [existing] = await db.query(
      'SELECT 1 FROM timescaledb_information.continuous_aggregates WHERE view_name = $1',
      [a.name],
    );
    if (!existing) {
      // The maintained table's rows are recomputed from raw data by WITH DATA.
      await db.query(`DROP TABLE IF EXISTS ${a.name}`);
      await db.query(
        `CREATE MATERIALIZED VIEW ${a.name}
           WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS ${a.select} WITH DATA`,
      );
    }
    await db.query(
      `SELECT add_continuous_aggregate_policy('${a.name}', start_offset => NULL,
         end_offset => INTERVAL '${a.endOffset}', schedule_interval => INTERVAL '1 minute', if_not_exists => true)`,
    );
    await db.query(`SELECT add_retention_policy('${a.name}', ${days}, if_not_exists => true)`);
  }
}

/**
 * Runs the refresh policies now (what the scheduler does every minute): on TimescaleDB late
 * data into an already materialised bucket shows in the rollups after this. Elsewhere the
 * rollups are current at commit and this does nothing.
 */
export async function refreshRollups(db: Database): Promise<void> {
  if (db.driver !== 'postgres') return;
  const [ext] = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (!ext) return;
  const jobs = await db.query<{ job_id: number }>(
    `SELECT job_id FROM timescaledb_information.jobs
     WHERE proc_name = 'policy_refresh_continuous_aggregate' AND hypertable_name = ANY($1::text[])
     ORDER BY job_id`,
    [ROLLUP_AGGREGATES.map((a) => a.name)],
  );
  for (const j of jobs) await runJobWhenFree(db, Number(j.job_id));
}

/**
 * Runs a refresh job now. TimescaleDB's scheduler may be running the same refresh at this
 * moment ("concurrent refresh"): wait for it and run again, so the caller sees every row.
 */
async function runJobWhenFree(db: Database, jobId: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.query(`CALL run_job(${jobId})`);
      return;
    } catch (err) {
      if (attempt >= 20 || !/concurrent refresh/i.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
