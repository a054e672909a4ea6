import type { Migration } from './migration';

/**
 * Read positions of the TensorBoard tailer, one row per tfevents file. `pending_end` is written
 * before a chunk is ingested (with an idempotency key naming its byte range), so a restart
 * between the data commit and the offset update re-sends exactly that range and stores nothing twice.
 */
export const tensorboard: Migration = {
  version: 3,
  name: 'tensorboard',
  sql: `
CREATE TABLE tensorboard_files (
  path            text PRIMARY KEY,
  "offset"        bigint NOT NULL DEFAULT 0,
  pending_end     bigint,
  records         bigint NOT NULL DEFAULT 0,
  corrupt_records bigint NOT NULL DEFAULT 0,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
`,
};
