import type { Migration } from './migration';

/**
 * Spend budgets (issue 15): their definitions (config-file ones replaced on every load, API ones
 * kept), and a per-incident "notify once" flag so a budget threshold alert is announced once per
 * period instead of repeating every repeat_interval like an ordinary firing alert.
 */
export const budgets: Migration = {
  version: 5,
  name: 'budgets',
  sql: `
CREATE TABLE budgets (
  name        text PRIMARY KEY,
  source      text NOT NULL,               -- 'config' (the YAML file) or 'api'
  definition  jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE alert_incidents ADD COLUMN notify_once boolean NOT NULL DEFAULT false;
`,
};
