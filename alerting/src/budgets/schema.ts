import { z } from 'zod';
import { LLM_SCOPE_COLUMNS } from '@aihub/core';

/**
 * A spend budget (DESIGN.md "Budgets"): which LLM requests count (`match`), one instance per
 * `by` value, a calendar period in a time zone, a limit in USD or tokens, and the percentages
 * that raise an alert. The same schema validates `budgets:` in the config and /v1/budgets.
 */

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_KEY = /^labels\.[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels a budget alert sets itself; a `by` label may not take their place. */
const RESERVED_LABELS = new Set(['alertname', 'severity', 'budget_threshold']);

export const BUDGET_PERIODS = ['day', 'week', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** An IANA zone name both Intl and PostgreSQL read the same way (no "UTC+3" POSIX offsets). */
export function isIanaTimeZone(tz: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(tz) || /^(UTC|GMT)[+-]/i.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const scopeValue = z.string().min(1).max(1024);

export const budgetMatchSchema = z.strictObject({
  ...(Object.fromEntries(LLM_SCOPE_COLUMNS.map((c) => [c, scopeValue.optional()])) as Record<
    (typeof LLM_SCOPE_COLUMNS)[number],
    z.ZodOptional<typeof scopeValue>
  >),
  /** Request labels (the `tags` of pushed LLM requests), all of which must match. */
  labels: z
    .record(z.string().regex(NAME_RE, 'label names match [a-zA-Z_][a-zA-Z0-9_]*'), scopeValue)
    .optional(),
});

const byKey = z
  .string()
  .refine((k) => (LLM_SCOPE_COLUMNS as readonly string[]).includes(k) || LABEL_KEY.test(k), {
    message: `must be one of ${LLM_SCOPE_COLUMNS.join(', ')} or labels.<name>`,
  })
  .refine((k) => !RESERVED_LABELS.has(k.replace(/^labels\./, '')), {
    message: 'names a label the budget alert sets itself',
  });

export const budgetSchema = z
  .strictObject({
    name: z.string().regex(NAME_RE, 'must match [a-zA-Z_][a-zA-Z0-9_]*').max(200),
    match: budgetMatchSchema.default({}),
    by: z.array(byKey).max(4).default([]),
    period: z.enum(BUDGET_PERIODS),
    timezone: z
      .string()
      .refine(isIanaTimeZone, { message: 'is not an IANA time zone (e.g. UTC, Europe/Berlin)' })
      .default('UTC'),
    limit_usd: z.number().positive().finite().optional(),
    limit_tokens: z.int().positive().optional(),
    /** Percentages of the limit; each raises one alert per period and instance. */
    thresholds: z.array(z.number().positive().max(1000)).min(1).max(10).default([50, 80, 100]),
    /** Warn (budget_threshold=forecast) as soon as the period's end spend is forecast over the limit. */
    forecast: z.boolean().default(true),
    /** Extra labels on the budget's alerts (for routing). */
    labels: z
      .record(z.string().regex(NAME_RE, 'label names match [a-zA-Z_][a-zA-Z0-9_]*'), z.string())
      .default({}),
    /** /metrics shows this many instances of a `by` budget, the highest spenders (bounded cardinality). */
    metrics_top_n: z.int().min(0).max(1000).default(10),
    enabled: z.boolean().default(true),
  })
  .superRefine((b, ctx) => {
    if ((b.limit_usd === undefined) === (b.limit_tokens === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [b.limit_usd === undefined ? 'limit_usd' : 'limit_tokens'],
        message: 'give exactly one of limit_usd and limit_tokens',
      });
    if (new Set(b.by).size !== b.by.length)
      ctx.addIssue({ code: 'custom', path: ['by'], message: 'lists a key twice' });
    if (new Set(b.thresholds).size !== b.thresholds.length)
      ctx.addIssue({ code: 'custom', path: ['thresholds'], message: 'lists a percentage twice' });
  });

export type BudgetInput = z.input<typeof budgetSchema>;
export type Budget = z.output<typeof budgetSchema>;

/** The alert label of a `by` key: `user_id` stays, `labels.team` becomes `team`. */
export const byLabel = (key: string) => key.replace(/^labels\./, '');
