import { Router } from 'express';
import type { z } from 'zod';
import { formatPath } from '../config/issues';
import type { BudgetEvaluator } from '../budgets/evaluator';
import { budgetSchema } from '../budgets/schema';
import type { BudgetStatus } from '../budgets/status';
import type { BudgetStore, StoredBudget } from '../budgets/store';
import type { ApiContext } from './context';
import { ApiError } from './errors';

export interface BudgetsApi {
  store: BudgetStore;
  evaluator: BudgetEvaluator;
}

/** Instances shown per budget by default in a status answer (the highest spenders). */
const STATUS_INSTANCES = 50;

/** Validation errors that name the field: an unknown key is reported at its own path. */
function budgetError(error: z.ZodError): ApiError {
  const details = error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: `unknown key "${k}"` }))
      : [{ path: formatPath(i.path), message: i.message }],
  );
  return new ApiError(400, 'invalid', 'invalid budget', details);
}

export function statusJson(s: BudgetStatus, limit = STATUS_INSTANCES) {
  return {
    unit: s.unit,
    limit: s.limit,
    period_start: new Date(s.bounds.start).toISOString(),
    period_end: new Date(s.bounds.end).toISOString(),
    forecast_model: s.forecastModel,
    instances_total: s.instances.length,
    instances: s.instances.slice(0, limit).map((i) => ({
      labels: i.labels,
      spent: i.spent,
      spent_usd: i.spentUsd,
      spent_tokens: i.spentTokens,
      percent: i.percent,
      forecast: i.forecast,
      thresholds_crossed: i.crossed,
      forecast_over: i.forecastOver,
    })),
  };
}

/** 404 for a budget that does not exist, 409 for one of the configuration file. */
function refuseUnchangeable(outcome: 'ok' | 'missing' | 'config', name: string): void {
  if (outcome === 'missing') throw new ApiError(404, 'not_found', `no budget named "${name}"`);
  if (outcome === 'config')
    throw new ApiError(
      409,
      'read_only',
      `budget "${name}" comes from the configuration file; change it there`,
    );
}

const budgetJson = (b: StoredBudget) => ({
  ...b.budget,
  source: b.source,
  created_at: new Date(b.createdAt).toISOString(),
  updated_at: new Date(b.updatedAt).toISOString(),
});

/**
 * /v1/budgets: list, read, create, replace, delete (budgets of the config file are read-only
 * here, 409). `?include=status` (list) and every read add where each budget stands this period.
 */
export function budgetsRouter(ctx: ApiContext): Router {
  const api = ctx.budgets;
  const r = Router();
  const withStatus = async (b: StoredBudget, instances?: number) => ({
    ...budgetJson(b),
    status: statusJson(await api.evaluator.reader.status(b.budget, ctx.now()), instances),
  });
  const instancesParam = (v: unknown) => {
    if (v === undefined) return STATUS_INSTANCES;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 10_000)
      throw new ApiError(400, 'invalid', 'invalid query', [
        { path: 'instances', message: 'must be an integer from 0 to 10000' },
      ]);
    return n;
  };
  r.get('/', async (req, res) => {
    const include = req.query.include;
    if (include !== undefined && include !== 'status')
      throw new ApiError(400, 'invalid', 'invalid query', [{ path: 'include', message: 'must be "status"' }]);
    const instances = instancesParam(req.query.instances);
    const all = await api.store.list();
    res.json({
      budgets: include ? await Promise.all(all.map((b) => withStatus(b, instances))) : all.map(budgetJson),
    });
  });
  r.get('/:name', async (req, res) => {
    const instances = instancesParam(req.query.instances);
    const b = await api.store.get(req.params.name);
    if (!b) throw new ApiError(404, 'not_found', `no budget named "${req.params.name}"`);
    res.json(await withStatus(b, instances));
  });
  r.post('/', async (req, res) => {
    const parsed = budgetSchema.safeParse(req.body);
    if (!parsed.success) throw budgetError(parsed.error);
    if (!(await api.store.create(parsed.data)))
      throw new ApiError(409, 'conflict', `a budget named "${parsed.data.name}" exists`);
    ctx.poke();
    res.status(201).json(budgetJson((await api.store.get(parsed.data.name))!));
  });
  r.put('/:name', async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new ApiError(400, 'invalid', 'invalid budget', [
        { path: '(root)', message: 'must be a JSON object' },
      ]);
    const parsed = budgetSchema.safeParse({ ...body, name: req.params.name });
    if (!parsed.success) throw budgetError(parsed.error);
    const outcome = await api.store.update(parsed.data);
    refuseUnchangeable(outcome, req.params.name);
    ctx.poke();
    res.json(budgetJson((await api.store.get(parsed.data.name))!));
  });
  r.delete('/:name', async (req, res) => {
    const outcome = await api.store.delete(req.params.name);
    refuseUnchangeable(outcome, req.params.name);
    ctx.poke();
    res.status(204).end();
  });
  return r;
}
