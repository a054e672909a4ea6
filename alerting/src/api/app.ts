import express, { type Express } from 'express';
import { bodyIdleTimeout, rejectUnsafeRequestText, unsafeBodyError } from '@aihub/core';
import { formatValue } from '../types/value';
import { requireAuth } from './auth';
import { budgetsRouter } from './budgets';
import { channelsRouter, notificationsRouter } from './channels';
import type { ApiContext } from './context';
import { ApiError, errorHandler, sendError } from './errors';
import { incidentsRouter } from './incidents';
import { rulesRouter } from './rules';
import { silencesRouter } from './silences';

/** The alerting HTTP API (DESIGN.md "Alerting"): rules, incidents, silences, channels, ops. */
export function createApp(
  ctx: ApiContext,
  tokens: string[],
  opts: { bodyIdleTimeoutMs?: number } = {},
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // A stalled or trickled body is cut off (408) instead of holding a socket for ever.
  app.use(bodyIdleTimeout(opts.bodyIdleTimeoutMs ?? 10_000));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const ready = await ctx.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  });
  app.use(requireAuth(tokens));
  // NUL, lone surrogates and reserved names (__proto__, …) in the path, query or body: a 400
  // naming them, before any handler compares, stores or looks them up.
  app.use(rejectUnsafeRequestText());
  app.get('/metrics', (req, res) => ctx.metrics.handle(req, res));
  app.use(express.json({ limit: '1mb' }));
  app.use((req, _res, next) => next(unsafeBodyError(req.body) ?? undefined));
  app.use('/v1/rules', rulesRouter(ctx));
  app.use('/v1/incidents', incidentsRouter(ctx));
  app.use('/v1/silences', silencesRouter(ctx));
  app.use('/v1/budgets', budgetsRouter(ctx));
  app.use('/v1/channels', channelsRouter(ctx));
  app.use('/v1/notifications', notificationsRouter(ctx));
  app.get('/v1/alerts', (_req, res) => {
    // Live rule-engine instances (pending and firing) on this replica.
    res.json({
      alerts: ctx.engine.snapshot().map((s) => ({
        fingerprint: s.fingerprint,
        rule: s.rule,
        state: s.state,
        labels: s.labels,
        value: s.value,
        value_text: formatValue(s.value),
        active_since: new Date(s.activeSince).toISOString(),
        fired_at: s.firedAt === null ? null : new Date(s.firedAt).toISOString(),
        stale: s.stale,
      })),
    });
  });
  app.get('/v1/status', async (_req, res) => {
    res.json({ ...(await ctx.leadership()), evaluation_interval_ms: ctx.config().evaluation_interval });
  });
  app.use((req, res) => sendError(res, new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler((err) => ctx.logger.error('request failed', { err: err as Error })));
  return app;
}
