import { Router } from 'express';
import {
  getTrainingRun,
  latestTrainingEvent,
  listTrainingRuns,
  trainingEventsInRange,
  trainingEventSummary,
  type Database,
  type StoredTrainingRun,
} from '@aihub/core';
import { ApiError } from '../http/errors';
import { bad, parseTime } from '../query/query-params';

export type RunStatus = 'running' | 'stale' | 'finished' | 'failed';
const STATUSES: RunStatus[] = ['running', 'stale', 'finished', 'failed'];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A stored run as the API shows it; a running run silent for staleAfterMs is `stale`. */
function toRun(r: StoredTrainingRun, now: number, staleAfterMs: number) {
  const status: RunStatus =
    r.status === 'running' && now - r.lastSeenMs > staleAfterMs ? 'stale' : (r.status as RunStatus);
  return {
    run_id: r.runId,
    model_name: r.modelName,
    parameters: r.parameters,
    first_seen: iso(r.firstSeenMs),
    last_seen: iso(r.lastSeenMs),
    last_epoch: r.lastEpoch,
    last_step: r.lastStep,
    status,
    finished_at: iso(r.finishedAtMs),
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
    // stale is derived: running in storage, but silent for longer than the stale threshold.
    const rows = await listTrainingRuns(deps.db, {
      status: status as RunStatus | undefined,
      staleBeforeMs: t - deps.staleAfterMs,
      limit,
    });
    res.json({ runs: rows.map((r) => toRun(r, t, deps.staleAfterMs)) });
  });

  router.get('/v1/training/runs/:id', async (req, res) => {
    const runId = req.params.id;
    const row = await getTrainingRun(deps.db, runId);
    if (!row) throw new ApiError(404, 'not_found', `no training run "${runId}"`);
    const latest = await latestTrainingEvent(deps.db, runId);
    const { metricNames, events } = await trainingEventSummary(deps.db, runId);
    res.json({
      ...toRun(row, now(), deps.staleAfterMs),
      events,
      metric_names: metricNames,
      latest: latest
        ? { time: iso(latest.timeMs), epoch: latest.epoch, step: latest.step, metrics: latest.metrics }
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
    if (!(await getTrainingRun(deps.db, runId)))
      throw new ApiError(404, 'not_found', `no training run "${runId}"`);
    const rows = await trainingEventsInRange(deps.db, runId, from, to, MAX_EVENTS + 1);
    const truncated = rows.length > MAX_EVENTS;
    const series = new Map<string, [number, number][]>();
    const add = (name: string, t: number, v: number | null) => {
      if (v === null || !Number.isFinite(v) || (names && !names.includes(name))) return;
      let points = series.get(name);
      if (!points) series.set(name, (points = []));
      points.push([t, v]);
    };
    for (const r of rows.slice(0, MAX_EVENTS)) {
      for (const [k, v] of Object.entries(r.metrics)) add(k, r.timeMs, Number(v));
      add('epoch', r.timeMs, r.epoch);
      add('step', r.timeMs, r.step);
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
