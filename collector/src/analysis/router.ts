/**
 * The analysis API (DESIGN.md "Analysis"):
 *
 *   POST /v1/analyze          findings + stats (+ narrative); JSON, or SSE with Accept: text/event-stream
 *   POST /v1/chat             SSE; loads the context from storage, runs diagnostics, hands the LLM the facts
 *   GET  /v1/assistant/status {configured, reachable, model, provider, cache}
 *
 * SSE events, in order: `findings` {findings, stats, context?}; `delta` {text} while text
 * streams; `error` {llm_error} if the LLM fails (followed by the templated narrative as a delta
 * when no LLM text was sent yet); always last `done` {narrative, narrative_source, llm?, llm_error?}.
 * Without an LLM, or when it fails, the answer is still 200: findings + templated narrative.
 */
import { Router, type Request, type Response } from 'express';
import {
  AnalyzeRequestSchema,
  ChatRequestSchema,
  analyzeMessages,
  buildFacts,
  chatMessages,
  defaultRole,
  diagnose,
  groupTrainingRuns,
  resolveThresholds,
  templateNarrative,
  toFieldErrors,
  type AnalysisContextInfo,
  type Database,
  type DiagnosticThresholds,
  type LlmClient,
  type LlmUsageRecord,
  type Logger,
  type SeriesInput,
  type ThresholdOverrides,
} from '@aihub/core';
import type { z } from 'zod';
import { ApiError, sendError } from '../http/errors';
import { readJsonBody } from '../http/body';
import { loadAnalysisContext } from './context';
import { ClientGoneError, narrate, type Narration } from './narrate';
import { openSse, type SseChannel } from './sse';

export interface AnalysisRouterDeps {
  db: Database;
  llm: LlmClient | null;
  /** Stores one of the assistant's own LLM calls as LLM usage (a DESIGN.md llm push item). */
  recordLlmUsage(record: LlmUsageRecord): Promise<void>;
  logger: Logger;
  /** Request body limit after decompression; default 32 MB (10 series × 10k points is ~3 MB). */
  maxBodyBytes?: number;
  /**
   * /v1/analyze and /v1/chat requests being read, parsed and diagnosed at once (the CPU- and
   * memory-heavy part; the LLM call after it has its own limit); beyond it, 429. Default 4.
   */
  maxConcurrent?: number;
  /** Points one request may analyse (sent, or loaded from storage); beyond it, 413. Default 200,000. */
  maxPoints?: number;
  /** Server-wide threshold overrides; a request's `thresholds` apply on top. */
  thresholds?: ThresholdOverrides;
  now?: () => number;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new ApiError(400, 'invalid_request', 'the request body is invalid', toFieldErrors(r.error));
  return r.data;
}

function wantsSse(req: Request): boolean {
  return (req.headers.accept ?? '').includes('text/event-stream');
}

/** Aborted when the client goes away before the response has been sent. */
function disconnectSignal(res: Response): AbortSignal {
  const c = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) c.abort();
  });
  return c.signal;
}

/** The narration as answered to clients (`streamed` is internal bookkeeping). */
function withoutStreamed(n: Narration): Omit<Narration, 'streamed'> {
  const out: Partial<Narration> = { ...n };
  delete out.streamed;
  return out as Omit<Narration, 'streamed'>;
}

function within(series: SeriesInput[], from?: number, to?: number): SeriesInput[] {
  if (from === undefined && to === undefined) return series;
  const lo = from ?? -Infinity;
  const hi = to ?? Infinity;
  return series.map((s) => ({ ...s, points: s.points.filter((p) => p[0] >= lo && p[0] <= hi) }));
}

/** What one analysis request may cost (defaults of AnalysisRouterDeps). */
export const ANALYSIS_BUDGET = { maxConcurrent: 4, maxPoints: 200_000 };

function tooManyPoints(points: number, max: number): ApiError {
  return new ApiError(
    413,
    'too_many_points',
    `the request holds ${points} points; at most ${max} are analysed at once`,
    [
      {
        path: 'series',
        message: 'send fewer points: downsample (GET /v1/query_range with step= and agg=), or narrow from/to',
      },
    ],
  );
}

export function createAnalysisRouter(deps: AnalysisRouterDeps): Router {
  const router = Router();
  const maxBody = deps.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxConcurrent = deps.maxConcurrent ?? ANALYSIS_BUDGET.maxConcurrent;
  const maxPoints = deps.maxPoints ?? ANALYSIS_BUDGET.maxPoints;
  let busy = 0;
  /** Runs the heavy part of a request in one of maxConcurrent slots, or answers 429. */
  async function heavy<T>(req: Request, work: () => Promise<T>): Promise<T> {
    if (busy >= maxConcurrent) {
      req.resume(); // refused: discard the body rather than buffer it
      throw new ApiError(
        429,
        'analysis_busy',
        `${maxConcurrent} analyses are running; retry in a moment`,
        [],
        { 'Retry-After': '1' },
      );
    }
    busy++;
    try {
      return await work();
    } finally {
      busy--;
    }
  }
  const checkPoints = (series: SeriesInput[]) => {
    const points = series.reduce((n, s) => n + s.points.length, 0);
    if (points > maxPoints) throw tooManyPoints(points, maxPoints);
  };
  const baseThresholds = resolveThresholds(deps.thresholds ?? {});
  const now = deps.now ?? Date.now;
  const thresholdsFor = (o?: ThresholdOverrides): DiagnosticThresholds =>
    o ? resolveThresholds(o, baseThresholds) : baseThresholds;
  const recordUsage = (record: LlmUsageRecord) => {
    deps
      .recordLlmUsage(record)
      .catch((err: unknown) =>
        deps.logger.warn('could not record the assistant LLM usage', { err: String(err) }),
      );
  };

  const fail = (res: Response, err: unknown) => {
    if (err instanceof ClientGoneError) return;
    if (err instanceof ApiError) return sendError(res, err);
    deps.logger.error('analysis request failed', { err: err instanceof Error ? err.stack : String(err) });
    sendError(res, new ApiError(500, 'internal', 'internal error'));
  };

  /** Streams a narration over SSE, ending with `done`; the LLM failure path adds `error`. */
  async function streamNarration(
    sse: SseChannel,
    make: (onDelta: (t: string) => void) => Promise<Narration>,
  ) {
    const n = await make((text) => sse.send('delta', { text }));
    if (n.llm_error && n.llm_error.category !== 'not_configured')
      sse.send('error', { llm_error: n.llm_error });
    if (n.narrative_source === 'template' && !n.streamed) sse.send('delta', { text: n.narrative });
    sse.send('done', withoutStreamed(n));
    sse.end();
  }

  router.post('/v1/analyze', async (req, res) => {
    try {
      const { findings, stats, context, messages, fallback } = await heavy(req, async () => {
        const body = parse(AnalyzeRequestSchema, await readJsonBody(req, maxBody));
        checkPoints(body.series);
        const t = thresholdsFor(body.thresholds);
        let series = within(body.series, body.from, body.to);
        let kind = body.kind;
        let context: AnalysisContextInfo | undefined;
        if (series.length === 0 && (body.run_id || body.provider || body.model)) {
          const loaded = await loadAnalysisContext(deps.db, body, now());
          checkPoints(loaded.series);
          series = loaded.series;
          context = loaded.info;
          if (kind === 'auto') kind = loaded.kind;
        } else if (body.run_id || body.provider || body.model || body.from !== undefined) {
          context = {
            ...(body.run_id ? { run: { run_id: body.run_id } } : {}),
            ...(body.provider ? { provider: body.provider } : {}),
            ...(body.model ? { model: body.model } : {}),
            ...(body.from !== undefined ? { from: body.from } : {}),
            ...(body.to !== undefined ? { to: body.to } : {}),
          };
        }
        const { findings, stats } = diagnose(series, kind, t);
        const facts = buildFacts({ kind, findings, stats, series, context });
        const role = body.role ?? defaultRole(kind, findings, groupTrainingRuns(series).length > 0);
        const messages = analyzeMessages(role, facts, body.question);
        const fallback = templateNarrative(findings, series.length);
        return { findings, stats, context, messages, fallback };
      });

      if (wantsSse(req)) {
        const sse = openSse(req, res);
        sse.send('findings', { findings, stats, ...(context ? { context } : {}) });
        await streamNarration(sse, (onDelta) =>
          narrate({ llm: deps.llm, messages, fallback, signal: sse.signal, onDelta, onAttempt: recordUsage }),
        );
        return;
      }
      const signal = disconnectSignal(res);
      const n = await narrate({ llm: deps.llm, messages, fallback, signal, onAttempt: recordUsage });
      res.json({ findings, stats, ...withoutStreamed(n) });
    } catch (err) {
      fail(res, err);
    }
  });

  router.post('/v1/chat', async (req, res) => {
    try {
      const { findings, stats, loaded, role, messages, fallback } = await heavy(req, async () => {
        const body = parse(ChatRequestSchema, await readJsonBody(req, maxBody));
        const loaded = await loadAnalysisContext(deps.db, body.context, now());
        checkPoints(loaded.series);
        const { findings, stats } = diagnose(loaded.series, loaded.kind, thresholdsFor(body.thresholds));
        const facts = buildFacts({
          kind: loaded.kind,
          findings,
          stats,
          series: loaded.series,
          context: loaded.info,
        });
        const role =
          body.role ?? defaultRole(loaded.kind, findings, groupTrainingRuns(loaded.series).length > 0);
        const messages = chatMessages(role, facts, body.messages);
        const fallback = `The assistant's LLM is unavailable, so this is what the diagnostics found.\n\n${templateNarrative(findings, loaded.series.length)}`;
        return { findings, stats, loaded, role, messages, fallback };
      });
      const sse = openSse(req, res);
      sse.send('findings', { findings, stats, context: loaded.info, role });
      await streamNarration(sse, (onDelta) =>
        narrate({ llm: deps.llm, messages, fallback, signal: sse.signal, onDelta, onAttempt: recordUsage }),
      );
    } catch (err) {
      fail(res, err);
    }
  });

  router.get('/v1/assistant/status', async (_req, res) => {
    if (!deps.llm) {
      res.json({ configured: false, reachable: false, model: null, provider: null });
      return;
    }
    const status = await deps.llm.status();
    res.json({ ...status, cache: deps.llm.cacheStats() });
  });

  return router;
}
