import { Router } from 'express';
import { ruleSchema } from '../config/schema';
import { ruleToJson } from '../rules/rule-json';
import type { StoredRule } from '../rules/store';
import type { ApiContext } from './context';
import { ApiError, validationError } from './errors';
import { renderRows } from './render-rows';

const ruleJson = (r: StoredRule) => ({
  ...ruleToJson(r.rule),
  source: r.source,
  created_at: new Date(r.createdAt).toISOString(),
  updated_at: new Date(r.updatedAt).toISOString(),
});

/** /v1/rules: list, read, create, replace, delete. Rules of the config file are read-only here (409). */
export function rulesRouter(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    const rules = await ctx.rules.list();
    res.json({ rules: renderRows(rules, ruleJson, ctx.logger, 'rule', (r) => r.rule.name) });
  });
  r.get('/:name', async (req, res) => {
    const rule = await ctx.rules.get(req.params.name);
    if (!rule) throw new ApiError(404, 'not_found', `no rule named "${req.params.name}"`);
    res.json(ruleJson(rule));
  });
  r.post('/', async (req, res) => {
    const parsed = ruleSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'rule');
    if (!(await ctx.rules.create(parsed.data)))
      throw new ApiError(409, 'conflict', `a rule named "${parsed.data.name}" exists`);
    ctx.poke();
    res.status(201).json(ruleJson((await ctx.rules.get(parsed.data.name))!));
  });
  r.put('/:name', async (req, res) => {
    const parsed = ruleSchema.safeParse({ ...req.body, name: req.params.name });
    if (!parsed.success) throw validationError(parsed.error, 'rule');
    const outcome = await ctx.rules.update(parsed.data);
    if (outcome === 'missing') throw new ApiError(404, 'not_found', `no rule named "${req.params.name}"`);
    if (outcome === 'config')
      throw new ApiError(
        409,
        'read_only',
        `rule "${req.params.name}" comes from the configuration file; change it there`,
      );
    ctx.poke();
    res.json(ruleJson((await ctx.rules.get(parsed.data.name))!));
  });
  r.delete('/:name', async (req, res) => {
    const outcome = await ctx.rules.delete(req.params.name);
    if (outcome === 'missing') throw new ApiError(404, 'not_found', `no rule named "${req.params.name}"`);
    if (outcome === 'config')
      throw new ApiError(
        409,
        'read_only',
        `rule "${req.params.name}" comes from the configuration file; change it there`,
      );
    ctx.poke();
    res.status(204).end();
  });
  return r;
}
