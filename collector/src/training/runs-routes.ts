import { Router } from 'express';
import type { Database } from '@aihub/core';
import { ApiError } from '../http/errors';
import { bad, parseTime } from '../query/query-params';

export type RunStatus = 'running' | 'stale' | 'finished' | 'failed';
const STATUSES: RunStatus[] = ['running', 'stale', 'finished', 'failed'];

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
  info: Record<string, unknown> | string | null;
}

const RUN_COLUMNS = `run_id, model_name, parameters, extract(epoch FROM first_seen) * 1000 AS first_seen,
  extract(epoch FROM last_seen) * 1000 AS last_seen, last_epoch, last_step, status,
  extract(epoch FROM finished_at) * 1000 AS finished_at, info`;

const iso = (v: string | number | null) =>
  v === null ? null : new Date(Math.round(Number(v))).toISOString();

/** A stored run as the API shows it; a running run silent for staleAfterMs is `stale`. */
function toRun(r: RunRow, now: number, staleAfterMs: number) {
  const lastSeen = Math.round(Number(r.last_seen));
  const status: RunStatus =
    r.status === 'running' && now - lastSeen > staleAfterMs ? 'stale' : (r.status as RunStatus);
  return {
    run_id: r.run_id,
    model_name: r.model_name,
    parameters: r.parameters === null ? null : Number(r.parameters),
    first_seen: iso(r.first_seen),
    last_seen: iso(r.last_seen),
    last_epoch: r.last_epoch === null ? null : Number(r.last_epoch),
    last_step: r.last_step === null ? null : Number(r.last_step),
    status,
    finished_at: iso(r.finished_at),
  };
}

const MAX_EVENTS = 100_000;

/** GET /v1/training/runs, /v1/training/runs/:id and /v1/training/runs/:id/metrics. */
export function createTrainingRunsRouter(deps: {
  db: Database;
  staleAfterMs: number;
  now?: () => number;
}): Router {
  const now = deps.now ?? Date.now;
  const router = Router();

  router.get('/v1/training/runs', async (req, res) => {
    const status = req.query.status;
    if (status !== undefined && (typeof status !== 'string' || !STATUSES.includes(status as RunStatus))) {
      throw bad('status', `must be one of ${STATUSES.join(', ')}`);
    }
    const limit = req.query.limit === undefined ? 1000 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw bad('limit', 'must be an integer 1–10000');
    const t = now();
    const staleBefore = (t - deps.staleAfterMs) / 1000;
    // stale is derived: running in storage, but silent for longer than the stale threshold.
    const rows = await deps.db.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM training_runs
       WHERE $1::text IS NULL
          OR ($1 = 'stale' AND status = 'running' AND last_seen < to_timestamp($2))
          OR ($1 = 'running' AND status = 'running' AND last_seen >= to_timestamp($2))
          OR ($1 IN ('finished', 'failed') AND status = $1)
       ORDER BY last_seen DESC, run_id LIMIT $3`,
      [status ?? null, staleBefore, limit],
    );
    res.json({ runs: rows.map((r) => toRun(r, t, deps.staleAfterMs)) });
  });

  router.get('/v1/training/runs/:id', async (req, res) => {
    const runId = req.params.id;
    const [row] = await deps.db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM training_runs WHERE run_id = $1`, [
      runId,
    ]);
    if (!row) throw new ApiError(404, 'not_found', `no training run "${runId}"`);
    const [latest] = await deps.db.query<{
      t: string | number;
      epoch: number | null;
      step: number | null;
      metrics: Record<string, number>;
      model_info: unknown;
    }>(
      `SELECT extract(epoch FROM time) * 1000 AS t, epoch, step, metrics, model_info FROM training_events
       WHERE run_id = $1 ORDER BY time DESC, id DESC LIMIT 1`,
      [runId],
    );
    const names = await deps.db.query<{ k: string }>(
      `SELECT DISTINCT jsonb_object_keys(metrics) AS k FROM training_events WHERE run_id = $1 ORDER BY 1`,
      [runId],
    );
    const [count] = await deps.db.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM training_events WHERE run_id = $1',
      [runId],
    );
    res.json({
      ...toRun(row, now(), deps.staleAfterMs),
      events: Number(count?.n ?? 0),
      metric_names: names.map((n) => n.k),
      latest: latest
        ? {
            time: iso(latest.t),
            epoch: latest.epoch === null ? null : Number(latest.epoch),
            step: latest.step === null ? null : Number(latest.step),
            metrics: latest.metrics,
          }
        : null,
    });
  });

  router.get('/v1/training/runs/:id/metrics', async (req, res) => {
    const runId = req.params.id;
    const to = parseTime(req.query.to, 'to', now());
    const from = parseTime(req.query.from, 'from', 0);
    if (from > to) throw bad('from', 'must not be after to');
    const rawNames = req.query.names;
    if (rawNames !== undefined && typeof rawNames !== 'string')
      throw bad('names', 'give a comma-separated list once');
    const names = rawNames
      ? rawNames
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : null;
    for (const n of names ?? [])
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n)) throw bad('names', `"${n}" is not a metric name`);
    const [exists] = await deps.db.query('SELECT 1 FROM training_runs WHERE run_id = $1', [runId]);
    if (!exists) throw new ApiError(404, 'not_found', `no training run "${runId}"`);
    const rows = await deps.db.query<{
      t: string | number;
      epoch: number | null;
      step: number | null;
      metrics: Record<string, number>;
    }>(
      `SELECT extract(epoch FROM time) * 1000 AS t, epoch, step, metrics FROM training_events
       WHERE run_id = $1 AND time >= to_timestamp($2 / 1000.0) AND time <= to_timestamp($3 / 1000.0)
       ORDER BY time, id LIMIT $4`,
      [runId, from, to, MAX_EVENTS + 1],
    );
    const truncated = rows.length > MAX_EVENTS;
    const series = new Map<string, [number, number][]>();
    const add = (name: string, t: number, v: number | null) => {
      if (v === null || !Number.isFinite(v) || (names && !names.includes(name))) return;
      let points = series.get(name);
      if (!points) series.set(name, (points = []));
      points.push([t, v]);
    };
    for (const r of rows.slice(0, MAX_EVENTS)) {
      const t = Math.round(Number(r.t));
      for (const [k, v] of Object.entries(r.metrics)) add(k, t, Number(v));
      add('epoch', t, r.epoch === null ? null : Number(r.epoch));
      add('step', t, r.step === null ? null : Number(r.step));
    }
    const order = names ?? [...series.keys()].sort();
    res.json({
      run_id: runId,
      from,
      to,
      truncated,
      series: order.filter((n) => series.has(n)).map((name) => ({ name, points: series.get(name)! })),
    });
  });

  return router;
}
