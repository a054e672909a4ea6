/**
 * Loads what a chat (or a series-less /v1/analyze) is about from storage: a training run's
 * series, and/or the derived LLM signals of a provider/model, over a window. Long windows are
 * averaged into buckets so one context stays a few thousand points per series.
 */
import {
  getTrainingRun,
  queryRange,
  seriesPointsInWindow,
  trainingRunSeries,
  type AnalysisContextInfo,
  type AnalysisKind,
  type ChatContext,
  type Queryable,
  type SeriesInput,
} from '@aihub/core';
import { ApiError } from '../http/errors';

/** Series longer than this in the window are bucketed (avg) down to about this many points. */
export const MAX_CONTEXT_POINTS_PER_SERIES = 5_000;
/** LLM traffic window when the caller gives none. */
export const DEFAULT_LLM_WINDOW_MS = 6 * 3_600_000;
const LLM_CONTEXT_SIGNALS = [
  'llm_requests',
  'llm_error_rate',
  'llm_latency_ms_p95',
  'llm_cost_usd',
  'llm_cache_hit_rate',
];
/** About this many buckets across an LLM window (at least one minute each). */
const LLM_BUCKETS = 120;

export interface LoadedContext {
  kind: AnalysisKind;
  series: SeriesInput[];
  info: AnalysisContextInfo;
}

export async function loadTrainingRun(db: Queryable, runId: string, from?: number, to?: number) {
  const run = await getTrainingRun(db, runId);
  if (!run)
    throw new ApiError(404, 'not_found', `no training run "${runId.slice(0, 200)}"`, [
      { path: 'context.run_id', message: 'unknown run' },
    ]);
  const windowFrom = from ?? run.firstSeenMs;
  const windowTo = to ?? run.lastSeenMs;
  const series = await trainingRunSeries(db, runId);
  const points = await seriesPointsInWindow(
    db,
    series.map((s) => s.id),
    windowFrom,
    windowTo,
    MAX_CONTEXT_POINTS_PER_SERIES,
  );
  const out: SeriesInput[] = series
    .filter((s) => points.get(s.id)?.length)
    .map((s) => ({ name: s.name, labels: s.labels, points: points.get(s.id)! }));
  const info: AnalysisContextInfo['run'] = {
    run_id: run.runId,
    model_name: run.modelName,
    parameters: run.parameters,
    last_epoch: run.lastEpoch,
    last_step: run.lastStep,
  };
  return { series: out, run: info, from: windowFrom, to: windowTo };
}

export async function loadLlmTraffic(
  db: Queryable,
  matchers: { provider?: string; model?: string },
  from: number,
  to: number,
) {
  const stepMs = Math.max(60_000, Math.ceil((to - from) / LLM_BUCKETS / 60_000) * 60_000);
  const m: Record<string, string> = {};
  if (matchers.provider) m.provider = matchers.provider;
  if (matchers.model) m.model = matchers.model;
  const results = await Promise.all(
    LLM_CONTEXT_SIGNALS.map((name) =>
      queryRange(db, { name, matchers: m, fromMs: from, toMs: to, stepMs, maxPoints: 200_000 }),
    ),
  );
  return results.flatMap((r) => r.series.map((s) => ({ name: s.name, labels: s.labels, points: s.points })));
}

/** The chat context → series and facts. A run id selects training; provider/model (or nothing) LLM traffic. */
export async function loadAnalysisContext(
  db: Queryable,
  ctx: ChatContext,
  now: number = Date.now(),
): Promise<LoadedContext> {
  const wantsLlm = Boolean(ctx.provider || ctx.model) || !ctx.run_id;
  const series: SeriesInput[] = [];
  const info: AnalysisContextInfo = {};
  let from = ctx.from;
  let to = ctx.to;
  if (ctx.run_id) {
    const run = await loadTrainingRun(db, ctx.run_id, ctx.from, ctx.to);
    series.push(...run.series);
    info.run = run.run;
    from = run.from;
    to = run.to;
  }
  if (wantsLlm) {
    const llmTo = ctx.to ?? (ctx.run_id ? (to ?? now) : now);
    const llmFrom =
      ctx.from ?? (ctx.run_id ? (from ?? llmTo - DEFAULT_LLM_WINDOW_MS) : llmTo - DEFAULT_LLM_WINDOW_MS);
    series.push(...(await loadLlmTraffic(db, ctx, llmFrom, llmTo)));
    if (ctx.provider) info.provider = ctx.provider;
    if (ctx.model) info.model = ctx.model;
    from = Math.min(from ?? llmFrom, llmFrom);
    to = Math.max(to ?? llmTo, llmTo);
  }
  info.from = from;
  info.to = to;
  return { kind: ctx.run_id && wantsLlm ? 'auto' : ctx.run_id ? 'training' : 'llm', series, info };
}
