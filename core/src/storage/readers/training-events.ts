import type { Queryable } from '../database';

/** One stored training item (a row of training_events) as the streams see it. */
export interface TrainingEvent {
  /** training_events.id: the SSE event id and the Last-Event-ID replay cursor. */
  id: number;
  runId: string;
  timeMs: number;
  epoch: number | null;
  step: number | null;
  metrics: Record<string, number>;
  modelInfo: { name?: string; parameters?: number } | null;
}

interface TrainingEventRow {
  id: string | number;
  run_id: string;
  t: string | number;
  epoch: number | null;
  step: number | null;
  metrics: Record<string, number> | string;
  model_info: { name?: string; parameters?: number } | string | null;
}

const COLUMNS = 'id, run_id, extract(epoch FROM time) * 1000 AS t, epoch, step, metrics, model_info';

function toTrainingEvent(r: TrainingEventRow): TrainingEvent {
  const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
  return {
    id: Number(r.id),
    runId: r.run_id,
    timeMs: Math.round(Number(r.t)),
    epoch: r.epoch === null ? null : Number(r.epoch),
    step: r.step === null ? null : Number(r.step),
    metrics: parse(r.metrics),
    modelInfo: r.model_info === null ? null : parse(r.model_info),
  };
}

/** The newest stored event id (0 when there is none). */
export async function maxTrainingEventId(db: Queryable): Promise<number> {
  const [row] = await db.query<{ max: string | number | null }>('SELECT max(id) AS max FROM training_events');
  return Number(row?.max ?? 0);
}

/** Events after `afterId` (exclusive), oldest first; runIds null means every run. */
export async function trainingEventsAfter(
  db: Queryable,
  afterId: number,
  runIds: string[] | null,
  limit: number,
): Promise<TrainingEvent[]> {
  const rows = await db.query<TrainingEventRow>(
    `SELECT ${COLUMNS} FROM training_events
     WHERE id > $1 AND ($2::text[] IS NULL OR run_id = ANY($2::text[]))
     ORDER BY id LIMIT $3`,
    [afterId, runIds, limit],
  );
  return rows.map(toTrainingEvent);
}

/** Events with fromId <= id <= toId, in id order. */
export async function trainingEventsBetween(
  db: Queryable,
  fromId: number,
  toId: number,
): Promise<TrainingEvent[]> {
  const rows = await db.query<TrainingEventRow>(
    `SELECT ${COLUMNS} FROM training_events WHERE id BETWEEN $1 AND $2 ORDER BY id`,
    [fromId, toId],
  );
  return rows.map(toTrainingEvent);
}

/** Per run: its first event id and its stored status (index lookups, not a scan of its history). */
export async function trainingRunStreamInfo(
  db: Queryable,
  runIds: string[],
): Promise<{ runId: string; firstId: number; status: string }[]> {
  const rows = await db.query<{ run_id: string; first_id: string | number | null; status: string | null }>(
    `SELECT u.run_id,
            (SELECT e.id FROM training_events e WHERE e.run_id = u.run_id ORDER BY e.id LIMIT 1) AS first_id,
            (SELECT r.status FROM training_runs r WHERE r.run_id = u.run_id) AS status
     FROM unnest($1::text[]) AS u(run_id)`,
    [runIds],
  );
  return rows.map((r) => ({ runId: r.run_id, firstId: Number(r.first_id), status: r.status ?? 'running' }));
}

/** The best val_accuracy a run reported before event `beforeId`. */
export async function bestValAccuracyBefore(
  db: Queryable,
  runId: string,
  beforeId: number,
): Promise<number | null> {
  const [row] = await db.query<{ best: number | null }>(
    `SELECT max((metrics->>'val_accuracy')::float8) AS best FROM training_events WHERE run_id = $1 AND id < $2`,
    [runId, beforeId],
  );
  return row?.best ?? null;
}

/** The run's newest event (by time), or null. */
export async function latestTrainingEvent(db: Queryable, runId: string): Promise<TrainingEvent | null> {
  const [row] = await db.query<TrainingEventRow>(
    `SELECT ${COLUMNS} FROM training_events WHERE run_id = $1 ORDER BY time DESC, id DESC LIMIT 1`,
    [runId],
  );
  return row ? toTrainingEvent(row) : null;
}

/** Metric names the run reported, sorted, and how many events it has. */
export async function trainingEventSummary(
  db: Queryable,
  runId: string,
): Promise<{ metricNames: string[]; events: number }> {
  const names = await db.query<{ k: string }>(
    'SELECT DISTINCT jsonb_object_keys(metrics) AS k FROM training_events WHERE run_id = $1 ORDER BY 1',
    [runId],
  );
  const [count] = await db.query<{ n: string | number }>(
    'SELECT count(*) AS n FROM training_events WHERE run_id = $1',
    [runId],
  );
  return { metricNames: names.map((n) => n.k), events: Number(count?.n ?? 0) };
}

/** The run's events in [fromMs, toMs] by time, at most `limit`. */
export async function trainingEventsInRange(
  db: Queryable,
  runId: string,
  fromMs: number,
  toMs: number,
  limit: number,
): Promise<TrainingEvent[]> {
  const rows = await db.query<TrainingEventRow>(
    `SELECT ${COLUMNS} FROM training_events
     WHERE run_id = $1 AND time >= to_timestamp($2 / 1000.0) AND time <= to_timestamp($3 / 1000.0)
     ORDER BY time, id LIMIT $4`,
    [runId, fromMs, toMs, limit],
  );
  return rows.map(toTrainingEvent);
}
