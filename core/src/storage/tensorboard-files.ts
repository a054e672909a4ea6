import type { Queryable } from './database';

/** The TensorBoard tailer's read position in one tfevents file (migration 0003). */
export interface TensorboardFilePosition {
  offset: number;
  /** End of the chunk being ingested (its idempotency key names it), or null. */
  pendingEnd: number | null;
}

/** The file's position, registering it at offset 0 when new. */
export async function tensorboardFilePosition(db: Queryable, path: string): Promise<TensorboardFilePosition> {
  await db.query('INSERT INTO tensorboard_files (path) VALUES ($1) ON CONFLICT (path) DO NOTHING', [path]);
  const [row] = await db.query<{ offset: string | number; pending_end: string | number | null }>(
    'SELECT "offset", pending_end FROM tensorboard_files WHERE path = $1',
    [path],
  );
  return {
    offset: Number(row.offset),
    pendingEnd: row.pending_end === null ? null : Number(row.pending_end),
  };
}

/** Written before a chunk is ingested, so a restart re-sends exactly that byte range. */
export async function markTensorboardPending(db: Queryable, path: string, end: number): Promise<void> {
  await db.query('UPDATE tensorboard_files SET pending_end = $2 WHERE path = $1', [path, end]);
}

/** After the chunk committed: the new offset, and the records read and skipped as corrupt. */
export async function advanceTensorboardFile(
  db: Queryable,
  path: string,
  offset: number,
  records: number,
  corrupt: number,
): Promise<void> {
  await db.query(
    `UPDATE tensorboard_files SET "offset" = $2, pending_end = NULL, records = records + $3,
       corrupt_records = corrupt_records + $4, updated_at = now() WHERE path = $1`,
    [path, offset, records, corrupt],
  );
}
