import { Router } from 'express';
import { silenceInputSchema, silenceJson } from '../silence/silence';
import type { ApiContext } from './context';
import { ApiError, validationError } from './errors';
import { renderRows } from './render-rows';

/** /v1/silences CRUD. DELETE expires a silence (kept for the record). */
export function silencesRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const now = ctx.now();
    const all = await ctx.silences.list();
    const state = typeof req.query.status === 'string' ? req.query.status : undefined;
    const rendered = renderRows(
      all,
      (s) => silenceJson(s, now),
      ctx.logger,
      'silence',
      (s) => s.id,
    );
    res.json({ silences: rendered.filter((s) => !state || s.status === state) });
  });
  r.get('/:id', async (req, res) => {
    const s = await ctx.silences.get(req.params.id);
    if (!s) throw new ApiError(404, 'not_found', `no silence ${req.params.id}`);
    res.json(silenceJson(s, ctx.now()));
  });
  r.post('/', async (req, res) => {
    const parsed = silenceInputSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'silence');
    if (parsed.data.ends_at <= (parsed.data.starts_at ?? ctx.now()))
      throw new ApiError(400, 'invalid', 'invalid silence', [
        { path: 'ends_at', message: 'must be in the future' },
      ]);
    const s = await ctx.silences.create(parsed.data, ctx.now());
    ctx.poke();
    res.status(201).json(silenceJson(s, ctx.now()));
  });
  r.put('/:id', async (req, res) => {
    const parsed = silenceInputSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'silence');
    const s = await ctx.silences.update(req.params.id, parsed.data, ctx.now());
    if (!s) throw new ApiError(404, 'not_found', `no silence ${req.params.id}`);
    ctx.poke();
    res.json(silenceJson(s, ctx.now()));
  });
  r.delete('/:id', async (req, res) => {
    const s = await ctx.silences.expire(req.params.id, ctx.now());
    if (!s) throw new ApiError(404, 'not_found', `no silence ${req.params.id}`);
    ctx.poke();
    res.json(silenceJson(s, ctx.now()));
  });
  return r;
}
