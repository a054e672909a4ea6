import type { Queryable } from '../database';

/** A row of training_runs with times as epoch milliseconds. */
export interface StoredTrainingRun {
  runId: string;
  modelName: string | null;
  parameters: number | null;
  firstSeenMs: number;
  lastSeenMs: number;
  lastEpoch: number | null;
  lastStep: number | null;
  /** As stored: running, finished or failed (stale is derived by the reader's caller). */
  status: string;
  finishedAtMs: number | null;
}

interface RunRow {
  run_id: string;
  model_name: string | null;
  parameters: string | number | null;
  first_seen: string | number;
  last_seen: string | number;
  last_epoch: number | null;
  last_step: number | null;
  status: string;
  finished_at: string | number | null;
}

const COLUMNS = `run_id, model_name, parameters, extract(epoch FROM first_seen) * 1000 AS first_seen,
  extract(epoch FROM last_seen) * 1000 AS last_seen, last_epoch, last_step, status,
  extract(epoch FROM finished_at) * 1000 AS finished_at`;

const ms = (v: string | number) => Math.round(Number(v));
const numOrNull = (v: string | number | null) => (v === null ? null : Number(v));

function toRun(r: RunRow): StoredTrainingRun {
  return {
    runId: r.run_id,
    modelName: r.model_name,
    parameters: numOrNull(r.parameters),
    firstSeenMs: ms(r.first_seen),
    lastSeenMs: ms(r.last_seen),
    lastEpoch: numOrNull(r.last_epoch),
    lastStep: numOrNull(r.last_step),
    status: r.status,
    finishedAtMs: r.finished_at === null ? null : ms(r.finished_at),
  };
}

/**
 * Runs newest first. `status` stale means running in storage but silent since before
 * staleBeforeMs; running means running and seen since then.
 */
export async function listTrainingRuns(
  db: Queryable,
  q: { status?: 'running' | 'stale' | 'finished' | 'failed'; staleBeforeMs: number; limit: number },
): Promise<StoredTrainingRun[]> {
  const rows = await db.query<RunRow>(
    `SELECT ${COLUMNS} FROM training_runs
     WHERE $1::text IS NULL
        OR ($1 = 'stale' AND status = 'running' AND last_seen < to_timestamp($2))
        OR ($1 = 'running' AND status = 'running' AND last_seen >= to_timestamp($2))
        OR ($1 IN ('finished', 'failed') AND status = $1)
     ORDER BY last_seen DESC, run_id LIMIT $3`,
    [q.status ?? null, q.staleBeforeMs / 1000, q.limit],
  );
  return rows.map(toRun);
}

export async function getTrainingRun(db: Queryable, runId: string): Promise<StoredTrainingRun | null> {
  const [row] = await db.query<RunRow>(`SELECT ${COLUMNS} FROM training_runs WHERE run_id = $1`, [runId]);
  return row ? toRun(row) : null;
}

/** Running runs silent since before beforeMs. */
export async function staleTrainingRuns(
  db: Queryable,
  beforeMs: number,
): Promise<{ runId: string; lastSeenMs: number }[]> {
  const rows = await db.query<{ run_id: string; t: string | number }>(
    `SELECT run_id, extract(epoch FROM last_seen) * 1000 AS t FROM training_runs
     WHERE status = 'running' AND last_seen < to_timestamp($1 / 1000.0)`,
    [beforeMs],
  );
  return rows.map((r) => ({ runId: r.run_id, lastSeenMs: ms(r.t) }));
}
