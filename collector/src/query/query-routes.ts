import { Router } from 'express';
import { isLlmSignal, listSeries, llmSummary, queryRange, QueryError, type Database } from '@aihub/core';
import { ApiError } from '../http/errors';
import { bad, parseAgg, parseBy, parseSelector, parseStep, parseTime } from './query-params';

const HOUR = 3_600_000;

/**
 * What one query may ask for: series matched (answered one by one, so their count is what the
 * event loop pays) and series × buckets for stepped queries. Beyond it, a 422 that says how to
 * narrow the query, instead of a response that stalls the collector.
 */
export interface QueryBudget {
  maxSeries: number;
  maxSeriesPoints: number;
}
export const DEFAULT_QUERY_BUDGET: QueryBudget = { maxSeries: 10_000, maxSeriesPoints: 2_000_000 };

function tooLarge(message: string): ApiError {
  return new ApiError(422, 'query_too_large', message, [
    {
      path: '(query)',
      message:
        'narrow it: add label matchers (&host=…), shorten from/to, raise step, or aggregate with by= (by= with nothing merges every series)',
    },
  ]);
}

/** The read side: /v1/series, /v1/query_range, /v1/llm/summary. */
export function createQueryRouter(deps: {
  db: Database;
  now?: () => number;
  budget?: QueryBudget;
  /** false: every read from raw rows (QUERY_ROLLUPS=off). */
  rollups?: boolean;
}): Router {
  const now = deps.now ?? Date.now;
  const budget = deps.budget ?? DEFAULT_QUERY_BUDGET;
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
    if (by === undefined && !isLlmSignal(name!)) {
      // Series are answered one by one unless aggregated with by: count them first (cheap, indexed).
      const matched = (await listSeries(deps.db, name, matchers, budget.maxSeries + 1)).length;
      if (matched > budget.maxSeries)
        throw tooLarge(`the query matches more than ${budget.maxSeries} series`);
      const buckets = stepMs ? Math.floor((to - from) / stepMs) + 1 : 0;
      if (matched * buckets > budget.maxSeriesPoints)
        throw tooLarge(`${matched} series × ${buckets} steps is more than ${budget.maxSeriesPoints} points`);
    }
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
