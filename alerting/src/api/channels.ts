import { Router } from 'express';
import { z } from 'zod';
import { buildNotification } from '../types/notification';
import { type Alert } from '../types/alert';
import { DeliveryError } from '../notify/integration';
import type { ApiContext } from './context';
import { ApiError, validationError } from './errors';

/** A synthetic alert that says what it is. */
function testAlert(now: number, channel: string): Alert {
  return {
    fingerprint: 'test',
    incidentId: 0,
    status: 'firing',
    labels: { alertname: 'aihub_test_notification', severity: 'info', channel },
    annotations: {
      summary: `Test notification for channel "${channel}" from aihub-alerting`,
      metric: 'none',
    },
    value: null,
    startsAt: now,
    endsAt: null,
    acknowledged: false,
  };
}

/** POST /v1/channels/:name/test (sends directly, not through the outbox), GET /v1/channels. */
export function channelsRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json({
      channels: [...ctx.integrations().values()].map((i) => ({
        name: i.name,
        type: i.type,
        send_resolved: i.sendResolved,
      })),
    });
  });
  r.post('/:name/test', async (req, res) => {
    const integration = ctx.integrations().get(req.params.name);
    if (!integration) throw new ApiError(404, 'not_found', `no channel named "${req.params.name}"`);
    const n = buildNotification(
      integration.name,
      'test',
      {},
      [testAlert(ctx.now(), integration.name)],
      ctx.config().external_url ?? '',
    );
    try {
      await integration.send(n);
    } catch (err) {
      const message = err instanceof DeliveryError ? err.message : (err as Error).message;
      throw new ApiError(502, 'delivery_failed', message);
    }
    res.json({ delivered: true, channel: integration.name, type: integration.type });
  });
  return r;
}

const listSchema = z.object({
  status: z.enum(['pending', 'sent', 'dead']).optional(),
  channel: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(200),
});

/** GET /v1/notifications (the outbox: pending, sent, dead letters), POST /v1/notifications/:id/retry. */
export function notificationsRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const q = listSchema.safeParse(req.query);
    if (!q.success) throw validationError(q.error, 'query');
    res.json({ notifications: await ctx.outbox.list(q.data) });
  });
  r.post('/:id/retry', async (req, res) => {
    const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).safeParse(req.params.id);
    if (!id.success) throw validationError(id.error, 'notification id');
    if (!(await ctx.outbox.retryDead(id.data)))
      throw new ApiError(404, 'not_found', `no dead notification ${id.data}`);
    ctx.poke();
    res.json({ requeued: id.data });
  });
  return r;
}
