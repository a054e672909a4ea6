import type { Migration } from './migration';

/**
 * Alerting state (issue 4): rules, per-series rule state, incidents, silences, the
 * notification pipeline's persistent tables (groups, outbox, log) and anomaly models, plus a
 * leadership lease so several alerting replicas on one PostgreSQL evaluate and notify once.
 */
export const alerting: Migration = {
  version: 2,
  name: 'alerting',
  sql: `
CREATE TABLE alert_rules (
  name        text PRIMARY KEY,
  source      text NOT NULL,               -- 'config' (the YAML file) or 'api'
  definition  jsonb NOT NULL,              -- the rule as written (durations as strings)
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The rule engine's state per alert instance (rule + series labels), so a restart or a new
-- leader continues pending timers and firing alerts instead of starting over.
CREATE TABLE alert_instances (
  fingerprint  text PRIMARY KEY,
  rule         text NOT NULL,
  labels       jsonb NOT NULL,
  state        text NOT NULL,              -- pending | firing
  value        double precision,
  active_since timestamptz NOT NULL,
  fired_at     timestamptz,
  last_true_at timestamptz NOT NULL,
  last_data_at timestamptz,
  stale        boolean NOT NULL DEFAULT false
);
CREATE INDEX alert_instances_rule_idx ON alert_instances (rule);

CREATE TABLE alert_incidents (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  fingerprint     text NOT NULL,
  rule            text NOT NULL,
  severity        text NOT NULL,
  labels          jsonb NOT NULL,
  annotations     jsonb NOT NULL DEFAULT '{}'::jsonb,
  status          text NOT NULL,           -- active | acknowledged | suppressed | resolved
  trigger_value   double precision,
  last_value      double precision,
  triggered_at    timestamptz NOT NULL,
  resolved_at     timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by text,
  notes           text,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One open incident per fingerprint.
CREATE UNIQUE INDEX alert_incidents_open_idx ON alert_incidents (fingerprint) WHERE status <> 'resolved';
CREATE INDEX alert_incidents_time_idx ON alert_incidents (triggered_at DESC);

CREATE TABLE silences (
  id         text PRIMARY KEY,
  matchers   jsonb NOT NULL,
  starts_at  timestamptz NOT NULL,
  ends_at    timestamptz NOT NULL,
  comment    text NOT NULL DEFAULT '',
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Aggregation groups of the dispatcher (route + group_by values) and what they last sent.
CREATE TABLE notification_groups (
  group_key     text PRIMARY KEY,
  route         integer NOT NULL,
  group_labels  jsonb NOT NULL,
  first_seen    timestamptz NOT NULL,
  last_flush_at timestamptz,
  last_hash     text,
  last_firing   jsonb NOT NULL DEFAULT '[]'::jsonb,
  flushes       integer NOT NULL DEFAULT 0
);

-- One row per notification per channel; delivered at least once, never enqueued twice.
CREATE TABLE notification_outbox (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedup_key       text NOT NULL UNIQUE,
  channel         text NOT NULL,
  group_key       text NOT NULL,
  payload         jsonb NOT NULL,
  status          text NOT NULL DEFAULT 'pending',   -- pending | sent | dead
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX notification_outbox_due_idx ON notification_outbox (next_attempt_at) WHERE status = 'pending';

-- What each channel last received per group (dedup across flushes and restarts).
CREATE TABLE notification_log (
  group_key text NOT NULL,
  channel   text NOT NULL,
  hash      text NOT NULL,
  sent_at   timestamptz NOT NULL,
  PRIMARY KEY (group_key, channel)
);

CREATE TABLE anomaly_models (
  rule       text NOT NULL,
  series_key text NOT NULL,
  labels     jsonb NOT NULL,
  model      jsonb NOT NULL,
  trained_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (rule, series_key)
);

-- Leadership lease: the holder evaluates and notifies; others wait for it to expire.
CREATE TABLE alerting_leader (
  id         integer PRIMARY KEY,
  holder     text NOT NULL,
  expires_at timestamptz NOT NULL
);
`,
};
