import { Router } from 'express';
import { z } from 'zod';
import { timestampSchema } from '@aihub/core';
import { MAX_LABEL_VALUE_LENGTH, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, safeText } from '../config/schema';
import { INCIDENT_STATUSES, incidentJson } from '../incidents/incident';
import { acknowledgeIncident, getIncident, listIncidents } from '../incidents/store';
import type { ApiContext } from './context';
import { ApiError, validationError } from './errors';
import { renderRows } from './render-rows';

/** Epoch ms or RFC 3339, strictly (core's parser): no overflow, no impossible dates. */
const time = timestampSchema;

const filterSchema = z
  .object({
    status: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(INCIDENT_STATUSES)))
      .optional(),
    rule: z.string().max(MAX_NAME_LENGTH).optional(),
    severity: z.enum(['critical', 'warning', 'info']).optional(),
    fingerprint: z.string().max(MAX_NAME_LENGTH).optional(),
    from: time.optional(),
    to: time.optional(),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .catchall(z.string().max(MAX_LABEL_VALUE_LENGTH));

const ackSchema = z.strictObject({
  by: safeText(MAX_NAME_LENGTH).min(1).default('api'),
  note: safeText(MAX_TEXT_LENGTH).optional(),
});
const idSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** GET /v1/incidents (filters: status, rule, severity, fingerprint, from, to, limit, any other label=value), ack. */
export function incidentsRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const parsed = filterSchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'query');
    const { status, rule, severity, fingerprint, from, to, limit, ...labels } = parsed.data;
    const incidents = await listIncidents(ctx.db, {
      status,
      rule,
      severity,
      fingerprint,
      fromMs: from,
      toMs: to,
      limit,
      labels: labels as Record<string, string>,
    });
    res.json({ incidents: renderRows(incidents, incidentJson, ctx.logger, 'incident', (i) => i.id) });
  });
  r.get('/:id', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw validationError(id.error, 'incident id');
    const incident = await getIncident(ctx.db, id.data);
    if (!incident) throw new ApiError(404, 'not_found', `no incident ${id.data}`);
    res.json(incidentJson(incident));
  });
  r.post('/:id/ack', async (req, res) => {
    const id = idSchema.safeParse(req.params.id);
    if (!id.success) throw validationError(id.error, 'incident id');
    const body = ackSchema.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error);
    const incident = await acknowledgeIncident(ctx.db, id.data, body.data.by, body.data.note, ctx.now());
    if (!incident) throw new ApiError(404, 'not_found', `no incident ${id.data}`);
    res.json(incidentJson(incident));
  });
  return r;
}
