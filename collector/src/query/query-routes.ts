import { Router } from 'express';
import { listSeries, llmSummary, queryRange, QueryError, type Database } from '@aihub/core';
import { bad, parseAgg, parseBy, parseSelector, parseStep, parseTime } from './query-params';

const HOUR = 3_600_000;

/** The read side: /v1/series, /v1/query_range, /v1/llm/summary. */
export function createQueryRouter(deps: {
  db: Database;
  now?: () => number;
  /** false: every read from raw rows (QUERY_ROLLUPS=off). */
  rollups?: boolean;
}): Router {
  const now = deps.now ?? Date.now;
  const router = Router();

  router.get('/v1/series', async (req, res) => {
    const { name, matchers } = parseSelector(req.query, false);
    const limit = req.query.limit === undefined ? 10_000 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
      throw bad('limit', 'must be an integer 1–100000');
    res.json({ series: await listSeries(deps.db, name, matchers, limit) });
  });

  router.get('/v1/query_range', async (req, res) => {
    const { name, matchers } = parseSelector(req.query, true);
    const to = parseTime(req.query.to, 'to', now());
    const from = parseTime(req.query.from, 'from', to - HOUR);
    if (from > to) throw bad('from', 'must not be after to');
    const stepMs = parseStep(req.query.step);
    const agg = parseAgg(req.query.agg);
    if (agg && !stepMs) throw bad('step', 'is required with agg');
    if (stepMs && (to - from) / stepMs > 100_000)
      throw bad('step', 'too small for this range (over 100000 buckets)');
    const by = parseBy(req.query.by);
    try {
      const result = await queryRange(deps.db, {
        name: name!,
        matchers,
        fromMs: from,
        toMs: to,
        stepMs,
        agg,
        by,
        rollups: deps.rollups,
      });
      res.json({ name, from, to, step: stepMs ?? null, agg: agg ?? null, by: by ?? null, ...result });
    } catch (err) {
      if (err instanceof QueryError) throw bad(err.param, err.message);
      throw err;
    }
  });

  router.get('/v1/llm/summary', async (req, res) => {
    const to = parseTime(req.query.to, 'to', now());
    const from = parseTime(req.query.from, 'from', to - 24 * HOUR);
    if (from > to) throw bad('from', 'must not be after to');
    res.json({ from, to, ...(await llmSummary(deps.db, { fromMs: from, toMs: to, rollups: deps.rollups })) });
  });

  return router;
}
