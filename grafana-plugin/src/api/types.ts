/**
 * Shapes of the collector and alerting APIs the plugin reads (DESIGN.md, mirrored from
 * core/src/analysis/types.ts — the plugin may only import types from core, and keeping one
 * zod schema per payload here makes a contract change a one-file edit). Schemas are lenient
 * about extra fields so a newer service does not break an older plugin.
 */
import { z } from 'zod';

export const severitySchema = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

export type AnalysisKind = 'training' | 'llm' | 'system' | 'auto';

export const seriesRefSchema = z.object({
  name: z.string(),
  labels: z.record(z.string()).default({}),
});

export const findingSchema = z.object({
  code: z.string(),
  severity: severitySchema,
  title: z.string(),
  detail: z.string().default(''),
  evidence: z.record(z.union([z.number(), z.string(), z.boolean(), z.null()])).default({}),
  series: z.array(seriesRefSchema).optional(),
});
export type Finding = z.infer<typeof findingSchema>;

export const llmErrorSchema = z.object({
  category: z.string(),
  message: z.string(),
  suggestion: z.string().optional(),
  retry_after: z.number().nullable().optional(),
  provider: z.string().optional(),
  model: z.string().optional(),
});
export type LlmError = z.infer<typeof llmErrorSchema>;

export const llmInfoSchema = z.object({
  model: z.string(),
  usage: z.record(z.unknown()).optional(),
});
export type LlmInfo = z.infer<typeof llmInfoSchema>;

export const analysisResponseSchema = z.object({
  findings: z.array(findingSchema),
  stats: z.unknown().optional(),
  narrative: z.string().nullable().optional(),
  llm: llmInfoSchema.nullable().optional(),
  llm_error: llmErrorSchema.nullable().optional(),
});
export type AnalysisResponse = z.infer<typeof analysisResponseSchema>;

export type Point = [number, number];
export interface SeriesInput {
  name: string;
  labels: Record<string, string>;
  points: Point[];
}

export interface AnalyzeRequest {
  kind: AnalysisKind;
  series: SeriesInput[];
  run_id?: string;
  from?: number;
  to?: number;
  question?: string;
}

/** What a chat or analysis is about; also the key of a stored conversation. */
export interface ChatContext {
  run_id?: string;
  provider?: string;
  model?: string;
  from?: number;
  to?: number;
}

export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
}

export const healthSchema = z
  .object({
    status: z.string().optional(),
  })
  .passthrough();
export type Health = z.infer<typeof healthSchema>;

export const trainingRunSchema = z
  .object({
    run_id: z.string(),
    status: z.string().optional(),
    model_name: z.string().nullable().optional(),
    started_at: z.union([z.string(), z.number()]).nullable().optional(),
    last_seen_at: z.union([z.string(), z.number()]).nullable().optional(),
    last_epoch: z.number().nullable().optional(),
  })
  .passthrough();
export type TrainingRun = z.infer<typeof trainingRunSchema>;
/** Accepts a bare array or `{runs: [...]}`. */
export const trainingRunsSchema = z.union([
  z.array(trainingRunSchema),
  z.object({ runs: z.array(trainingRunSchema) }).transform((o) => o.runs),
]);

export const llmSummaryRowSchema = z
  .object({
    provider: z.string(),
    model: z.string(),
    requests: z.number().optional(),
    cost_usd: z.number().nullable().optional(),
    error_rate: z.number().nullable().optional(),
  })
  .passthrough();
export type LlmSummaryRow = z.infer<typeof llmSummaryRowSchema>;
/** The collector answers `{from, to, totals: {requests, cost_usd, …}, models: […]}`. */
export const llmSummarySchema = z
  .object({
    totals: z
      .object({ requests: z.number().optional(), cost_usd: z.number().nullable().optional() })
      .passthrough()
      .optional(),
    models: z.array(llmSummaryRowSchema).default([]),
  })
  .passthrough()
  .transform((s) => ({
    ...s,
    total_cost_usd: s.totals?.cost_usd ?? s.models.reduce((a, m) => a + (m.cost_usd ?? 0), 0),
    requests: s.totals?.requests ?? s.models.reduce((a, m) => a + (m.requests ?? 0), 0),
  }));
export type LlmSummary = z.infer<typeof llmSummarySchema>;

export const assistantStatusSchema = z
  .object({
    configured: z.boolean(),
    model: z.string().nullable().optional(),
  })
  .passthrough();
export type AssistantStatus = z.infer<typeof assistantStatusSchema>;

const timeSchema = z.union([z.string(), z.number()]).nullable().optional();

/**
 * An incident as the alerting API shows it (`rule`, `triggered_at`, `trigger_value`/`last_value`),
 * normalised to the names the UI uses.
 */
export const incidentSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String),
    rule: z.string().optional(),
    rule_name: z.string().optional(),
    status: z.string(),
    severity: severitySchema,
    labels: z.record(z.string()).default({}),
    annotations: z.record(z.string()).default({}),
    trigger_value: z.number().nullable().optional(),
    last_value: z.number().nullable().optional(),
    triggered_at: timeSchema,
    started_at: timeSchema,
    resolved_at: timeSchema,
    acknowledged_at: timeSchema,
    acknowledged_by: z.string().nullable().optional(),
  })
  .passthrough()
  .transform(({ rule, triggered_at, ...i }) => ({
    ...i,
    rule_name: i.rule_name ?? rule,
    started_at: i.started_at ?? triggered_at,
    value: i.last_value ?? i.trigger_value ?? null,
  }));
export type Incident = z.infer<typeof incidentSchema>;
export const incidentsSchema = z.union([
  z.array(incidentSchema),
  z.object({ incidents: z.array(incidentSchema) }).transform((o) => o.incidents),
]);

export const ruleSchema = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    name: z.string(),
    type: z.string().optional(),
    metric: z.string().optional(),
    severity: z.string().optional(),
  })
  .passthrough();
export type Rule = z.infer<typeof ruleSchema>;
export const rulesSchema = z.union([
  z.array(ruleSchema),
  z.object({ rules: z.array(ruleSchema) }).transform((o) => o.rules),
]);

export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex?: boolean;
}
export interface SilenceRequest {
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
}

/** One budget instance this period (GET /v1/budgets?include=status). */
export const budgetInstanceSchema = z.object({
  labels: z.record(z.string()).default({}),
  spent: z.number(),
  percent: z.number(),
  forecast: z.number().nullable().default(null),
  thresholds_crossed: z.array(z.number()).default([]),
  forecast_over: z.boolean().default(false),
});
export type BudgetInstance = z.infer<typeof budgetInstanceSchema>;

export const budgetSchema = z.object({
  name: z.string(),
  period: z.string(),
  timezone: z.string().default('UTC'),
  thresholds: z.array(z.number()).default([50, 80, 100]),
  source: z.string().optional(),
  status: z
    .object({
      unit: z.enum(['usd', 'tokens']),
      limit: z.number(),
      period_end: z.string(),
      instances_total: z.number(),
      instances: z.array(budgetInstanceSchema),
    })
    .optional(),
});
export type Budget = z.infer<typeof budgetSchema>;

export const budgetsSchema = z.object({ budgets: z.array(budgetSchema) }).transform((o) => o.budgets);
