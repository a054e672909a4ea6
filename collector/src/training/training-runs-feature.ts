import type { CollectorFeature } from '../collector';
import { createTrainingRunsRouter } from './runs-routes';

/** The training runs API (GET /v1/training/runs…). */
export function trainingRunsFeature(opts: { staleAfterMs: number; now?: () => number }): CollectorFeature {
  return {
    name: 'training-runs',
    router: (ctx) => createTrainingRunsRouter({ db: ctx.db, staleAfterMs: opts.staleAfterMs, now: opts.now }),
  };
}
