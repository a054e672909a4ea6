import type { Migration } from './migration';

/** Metric series and samples, LLM requests, training runs and events, idempotency keys. */
export const metrics: Migration = {
  version: 1,
  name: 'metrics',
  sql: `
CREATE TABLE metric_series (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text NOT NULL,
  labels     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, labels)
);
CREATE INDEX metric_series_labels_idx ON metric_series USING gin (labels jsonb_path_ops);

CREATE TABLE metric_samples (
  time      timestamptz NOT NULL,
  series_id bigint NOT NULL,
  value     double precision NOT NULL
);
CREATE INDEX metric_samples_series_time_idx ON metric_samples (series_id, time DESC);

CREATE TABLE llm_requests (
  time            timestamptz NOT NULL,
  provider        text NOT NULL,
  model           text NOT NULL,
  operation       text NOT NULL DEFAULT 'chat',
  input_tokens    bigint NOT NULL DEFAULT 0,
  output_tokens   bigint NOT NULL DEFAULT 0,
  cached_tokens   bigint NOT NULL DEFAULT 0,
  latency_ms      double precision,
  ttft_ms         double precision,
  status          text NOT NULL DEFAULT 'ok',
  error_type      text,
  cache_hit       boolean NOT NULL DEFAULT false,
  cost_usd        double precision,
  priced          boolean NOT NULL DEFAULT true,
  user_id         text,
  session_id      text,
  organization_id text,
  tags            jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX llm_requests_time_idx ON llm_requests (time DESC);
CREATE INDEX llm_requests_model_time_idx ON llm_requests (provider, model, time DESC);
CREATE INDEX llm_requests_user_time_idx ON llm_requests (user_id, time DESC);

CREATE TABLE training_runs (
  run_id      text PRIMARY KEY,
  model_name  text,
  parameters  bigint,
  first_seen  timestamptz NOT NULL,
  last_seen   timestamptz NOT NULL,
  last_epoch  double precision,
  last_step   double precision,
  status      text NOT NULL DEFAULT 'running',
  finished_at timestamptz,
  info        jsonb NOT NULL DEFAULT '{}'::jsonb
);

-- One row per pushed training item: the replay log behind SSE Last-Event-ID.
CREATE TABLE training_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id     text NOT NULL,
  time       timestamptz NOT NULL,
  epoch      double precision,
  step       double precision,
  metrics    jsonb NOT NULL,
  model_info jsonb
);
CREATE INDEX training_events_run_idx ON training_events (run_id, id);

CREATE TABLE idempotency_keys (
  key        text PRIMARY KEY,
  accepted   integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
`,
};
