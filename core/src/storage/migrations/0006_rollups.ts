import type { Migration } from './migration';
import { histogramBucketSql } from '../rollups/latency-histogram';

/**
 * Rollups behind wide reads (issue 13): per series per minute, per 5 minutes (the common
 * dashboard step) and per hour (count, sum, min,
 * max, last) and per provider/model per minute for LLM requests (requests, errors, tokens,
 * cost, latency/TTFT sums and extremes, plus log-bucket histograms for p95).
 *
 * On plain PostgreSQL and PGlite these are tables kept current by statement triggers in the
 * inserting transaction, so late data lands in its bucket at once. On TimescaleDB the setup
 * step replaces them with continuous aggregates of the same names and columns
 * (rollups/timescale-rollups.ts); readers do not know the difference.
 */
const bucket = (width: string, column: string) =>
  `date_bin(INTERVAL '${width}', ${column}, TIMESTAMPTZ '1970-01-01 00:00:00+00')`;

const seriesRollup = (table: string) => `
CREATE TABLE ${table} (
  series_id  bigint NOT NULL,
  bucket     timestamptz NOT NULL,
  n          bigint NOT NULL,
  sum        double precision NOT NULL,
  min        double precision NOT NULL,
  max        double precision NOT NULL,
  last_time  timestamptz NOT NULL,
  last_value double precision NOT NULL,
  PRIMARY KEY (series_id, bucket)
);`;

const seriesUpsert = (table: string, width: string, source: string) => `
  INSERT INTO ${table} AS r (series_id, bucket, n, sum, min, max, last_time, last_value)
  SELECT series_id, ${bucket(width, 'time')}, count(*), sum(value), min(value), max(value), max(time),
         (array_agg(value ORDER BY time DESC))[1]
  FROM ${source} GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (series_id, bucket) DO UPDATE SET
    n = r.n + excluded.n, sum = r.sum + excluded.sum,
    min = least(r.min, excluded.min), max = greatest(r.max, excluded.max),
    last_value = CASE WHEN excluded.last_time >= r.last_time THEN excluded.last_value ELSE r.last_value END,
    last_time = greatest(r.last_time, excluded.last_time);`;

const histogram = (table: string) => `
CREATE TABLE ${table} (
  provider text NOT NULL,
  model    text NOT NULL,
  bucket   timestamptz NOT NULL,
  idx      integer NOT NULL,
  n        bigint NOT NULL,
  PRIMARY KEY (provider, model, bucket, idx)
);`;

const histogramUpsert = (table: string, column: string, source: string) => `
  INSERT INTO ${table} AS r (provider, model, bucket, idx, n)
  SELECT provider, model, ${bucket('1 minute', 'time')}, ${histogramBucketSql(column)}, count(*)
  FROM ${source} WHERE ${column} IS NOT NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (provider, model, bucket, idx) DO UPDATE SET n = r.n + excluded.n;`;

// Sum of two nullable sums: NULL only when both are.
const addNullable = (col: string) =>
  `${col} = CASE WHEN r.${col} IS NULL THEN excluded.${col} WHEN excluded.${col} IS NULL THEN r.${col} ELSE r.${col} + excluded.${col} END`;

const llmUpsert = (source: string) => `
  INSERT INTO llm_rollup_1m AS r (provider, model, bucket, requests, errors, input_tokens, output_tokens,
    cache_hits, unpriced, cost_usd, latency_sum, latency_n, latency_min, latency_max,
    ttft_sum, ttft_n, ttft_min, ttft_max)
  SELECT provider, model, ${bucket('1 minute', 'time')}, count(*), count(*) FILTER (WHERE status = 'error'),
         sum(input_tokens), sum(output_tokens), count(*) FILTER (WHERE cache_hit), count(*) FILTER (WHERE NOT priced),
         sum(cost_usd), sum(latency_ms), count(latency_ms), min(latency_ms), max(latency_ms),
         sum(ttft_ms), count(ttft_ms), min(ttft_ms), max(ttft_ms)
  FROM ${source} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (provider, model, bucket) DO UPDATE SET
    requests = r.requests + excluded.requests, errors = r.errors + excluded.errors,
    input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens,
    cache_hits = r.cache_hits + excluded.cache_hits, unpriced = r.unpriced + excluded.unpriced,
    ${addNullable('cost_usd')}, ${addNullable('latency_sum')}, ${addNullable('ttft_sum')},
    latency_n = r.latency_n + excluded.latency_n, ttft_n = r.ttft_n + excluded.ttft_n,
    latency_min = least(r.latency_min, excluded.latency_min), latency_max = greatest(r.latency_max, excluded.latency_max),
    ttft_min = least(r.ttft_min, excluded.ttft_min), ttft_max = greatest(r.ttft_max, excluded.ttft_max);
${histogramUpsert('llm_latency_hist_1m', 'latency_ms', source)}
${histogramUpsert('llm_ttft_hist_1m', 'ttft_ms', source)}`;

export const rollups: Migration = {
  version: 6,
  name: 'rollups',
  sql: `
${seriesRollup('metric_rollup_1m')}
${seriesRollup('metric_rollup_5m')}
${seriesRollup('metric_rollup_1h')}

CREATE TABLE llm_rollup_1m (
  provider      text NOT NULL,
  model         text NOT NULL,
  bucket        timestamptz NOT NULL,
  requests      bigint NOT NULL,
  errors        bigint NOT NULL,
  input_tokens  bigint NOT NULL,
  output_tokens bigint NOT NULL,
  cache_hits    bigint NOT NULL,
  unpriced      bigint NOT NULL,
  cost_usd      double precision,
  latency_sum   double precision,
  latency_n     bigint NOT NULL,
  latency_min   double precision,
  latency_max   double precision,
  ttft_sum      double precision,
  ttft_n        bigint NOT NULL,
  ttft_min      double precision,
  ttft_max      double precision,
  PRIMARY KEY (provider, model, bucket)
);
${histogram('llm_latency_hist_1m')}
${histogram('llm_ttft_hist_1m')}

CREATE FUNCTION metric_rollups_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${seriesUpsert('metric_rollup_1m', '1 minute', 'new_samples')}
${seriesUpsert('metric_rollup_5m', '5 minutes', 'new_samples')}
${seriesUpsert('metric_rollup_1h', '1 hour', 'new_samples')}
  RETURN NULL;
END $$;
CREATE FUNCTION llm_rollups_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${llmUpsert('new_requests')}
  RETURN NULL;
END $$;
-- A hypertable (an existing TimescaleDB install) takes no transition-table triggers: there the
-- setup step turns these tables into continuous aggregates instead.
DO $do$
DECLARE
  hypertable boolean := false;
BEGIN
  IF to_regclass('timescaledb_information.hypertables') IS NOT NULL THEN
    EXECUTE $q$SELECT EXISTS (SELECT 1 FROM timescaledb_information.hypertables
                             WHERE hypertable_schema = current_schema() AND hypertable_name = 'metric_samples')$q$
      INTO hypertable;
  END IF;
  IF hypertable THEN
    RETURN;
  END IF;
  CREATE TRIGGER metric_samples_rollups AFTER INSERT ON metric_samples
    REFERENCING NEW TABLE AS new_samples FOR EACH STATEMENT EXECUTE FUNCTION metric_rollups_add();
  CREATE TRIGGER llm_requests_rollups AFTER INSERT ON llm_requests
    REFERENCING NEW TABLE AS new_requests FOR EACH STATEMENT EXECUTE FUNCTION llm_rollups_add();
  -- Data already stored before this migration.
${seriesUpsert('metric_rollup_1m', '1 minute', 'metric_samples')}
${seriesUpsert('metric_rollup_5m', '5 minutes', 'metric_samples')}
${seriesUpsert('metric_rollup_1h', '1 hour', 'metric_samples')}
${llmUpsert('llm_requests')}
END $do$;
`,
};
