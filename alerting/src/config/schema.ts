import { z } from 'zod';
import { parseExpression } from 'cron-parser';
import { AGGREGATIONS, isReservedKey, safeString } from '@aihub/core';
import { budgetSchema } from '../budgets/schema';
import { durationSchema } from './duration';
import { labelRegexProblem } from './label-regex';
import { DEFAULT_SCORE_THRESHOLD } from '../anomaly/streamingDetector';

/**
 * The alerting configuration (DESIGN.md "Alerting"): one zod schema gives validation,
 * TypeScript types and the error messages `check-config` prints with their paths.
 * Durations arrive as strings ("5m") and leave as milliseconds.
 */

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const OPERATORS = ['>', '<', '>=', '<=', '==', '=', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

/** Names and values are bounded so that every index over them (btree rows ≤ 2.7 kB) can hold them. */
export const MAX_NAME_LENGTH = 200;
export const MAX_LABEL_VALUE_LENGTH = 1024;
export const MAX_TEXT_LENGTH = 10_000;

/** Text PostgreSQL can store: no NUL, no lone surrogates. */
export const safeText = (max: number) => safeString().max(max, `longer than ${max} characters`);
const ruleName = z
  .string()
  .max(MAX_NAME_LENGTH, `longer than ${MAX_NAME_LENGTH} characters`)
  .regex(NAME_RE, 'must match [a-zA-Z_][a-zA-Z0-9_]*');
const metricName = z
  .string()
  .max(MAX_NAME_LENGTH, `longer than ${MAX_NAME_LENGTH} characters`)
  .regex(METRIC_RE, 'must be a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)');
/** A label name; __proto__, constructor and prototype are refused (a plain object would lose them). */
export const labelName = z
  .string()
  .max(MAX_NAME_LENGTH, `longer than ${MAX_NAME_LENGTH} characters`)
  .regex(NAME_RE, 'label names match [a-zA-Z_][a-zA-Z0-9_]*')
  .refine((k) => !isReservedKey(k), 'is a reserved name');
const labelMap = z.record(labelName, safeText(MAX_LABEL_VALUE_LENGTH));
const severity = z.enum(SEVERITIES);
const aggregation = z.enum(AGGREGATIONS);

const cronSchema = z.string().refine(
  (s) => {
    try {
      parseExpression(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a cron expression (e.g. "0 * * * *")' },
);

/** The denominator of a ratio rule; unset fields repeat the rule's own. */
const divideBySchema = z.strictObject({
  metric: metricName.optional(),
  matchers: labelMap.optional(),
  aggregation: aggregation.optional(),
  window: durationSchema.optional(),
  /** Look back this far (e.g. 24h: "against the previous day"). */
  offset: durationSchema.default(0),
  /** Divide point by point (same timestamps) before aggregating, instead of aggregate by aggregate. */
  pointwise: z.boolean().default(false),
  /**
   * A baseline window (other window or offset) must hold data over at least this share of what
   * the judged window holds (by coverage of its span) before the ratio is judged: a fresh install
   * with minutes of history must not read as a 30× spike.
   */
  min_coverage: z.number().min(0).max(1).default(0.5),
});

const common = {
  name: ruleName,
  metric: metricName,
  matchers: labelMap.default({}),
  labels: labelMap.default({}),
  annotations: z.record(labelName, safeText(MAX_TEXT_LENGTH)).default({}),
  enabled: z.boolean().default(true),
};

/**
 * Series one rule evaluates at most (the oldest beyond it are kept, the rest are left out with a
 * warning and `aihub_rule_series_over_limit`): a cardinality flood cannot make evaluation, its
 * models or its memory grow without bound. An anomaly model holds up to ~0.2 MB and retrains in
 * up to ~0.1 s, hence the lower default there.
 */
export const DEFAULT_MAX_SERIES = { threshold: 100_000, anomaly: 1_000 } as const;
const maxSeries = z.int().positive().max(10_000_000);

export const thresholdRuleSchema = z.strictObject({
  ...common,
  type: z.literal('threshold'),
  aggregation: aggregation.default('avg'),
  window: durationSchema.default(60_000),
  /** Aggregate only the newest N points of the window (e.g. "for 3 epochs"). */
  last_points: z.int().positive().optional(),
  /**
   * Aggregate across the matched series that share these labels (PromQL's `by`): one alert
   * instance per combination instead of one per series, e.g. `by: [endpoint]` so response time
   * alerts per endpoint and not per user. [] merges every matched series into one instance.
   */
  by: z.array(labelName).max(32, 'at most 32 labels').optional(),
  divide_by: divideBySchema.optional(),
  op: z.enum(OPERATORS),
  threshold: z.number(),
  for: durationSchema.default(0),
  keep_firing_for: durationSchema.default(0),
  severity: severity.default('warning'),
  /** What a series that stops reporting does: keep its state (and warn), resolve, or alert. */
  no_data: z.enum(['keep', 'ok', 'alerting']).default('keep'),
  max_series: maxSeries.default(DEFAULT_MAX_SERIES.threshold),
});

export const anomalyRuleSchema = z.strictObject({
  ...common,
  type: z.literal('anomaly'),
  min_history: z.int().min(10).default(100),
  contamination: z.number().gt(0).max(0.5).default(0.01),
  retrain: cronSchema.default('0 * * * *'),
  severity: z.enum(['auto', ...SEVERITIES]).default('auto'),
  /** Score in [0,1] at or above which a point is anomalous; default: the NAB-optimal threshold (docs/anomaly.md). */
  score_threshold: z.number().min(0).max(1).default(DEFAULT_SCORE_THRESHOLD),
  /** History loaded to train a model the first time. */
  history: durationSchema.default(7 * 86_400_000),
  /** After an anomaly alert, none for the same series for this long (original plan: 30 min). */
  suppress_for: durationSchema.default(30 * 60_000),
  /** An anomaly incident resolves after this long with no anomalous point. */
  resolve_after: durationSchema.default(5 * 60_000),
  seed: z.int().default(42),
  max_series: maxSeries.default(DEFAULT_MAX_SERIES.anomaly),
});

export const ruleSchema = z.discriminatedUnion('type', [thresholdRuleSchema, anomalyRuleSchema]);
export type RuleInput = z.input<typeof ruleSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type ThresholdRule = z.output<typeof thresholdRuleSchema>;
export type AnomalyRule = z.output<typeof anomalyRuleSchema>;

const channelCommon = {
  name: ruleName.or(z.string().regex(/^[a-zA-Z0-9_.-]+$/, 'must match [a-zA-Z0-9_.-]+')),
  send_resolved: z.boolean().default(true),
};
const httpUrl = z
  .string()
  .refine((s) => /^https?:\/\//.test(s) && URL.canParse(s), { message: 'must be an http(s) URL' });

export const channelSchema = z.discriminatedUnion('type', [
  z.strictObject({
    ...channelCommon,
    type: z.literal('email'),
    smtp_url: z.string().refine((s) => /^smtps?:\/\//.test(s) && URL.canParse(s), {
      message: 'must be an smtp:// or smtps:// URL',
    }),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
  }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('slack'),
    webhook_url: httpUrl,
    channel: z.string().optional(),
    username: z.string().optional(),
  }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('webhook'),
    url: httpUrl,
    secret: z.string().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    timeout: durationSchema.default(10_000),
  }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('sms'),
    /** Twilio or any API of its shape: POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json. */
    api_url: httpUrl.default('https://api.twilio.com'),
    account_sid: z.string().min(1),
    auth_token: z.string().min(1),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    timeout: durationSchema.default(10_000),
    send_resolved: z.boolean().default(false),
  }),
  z.strictObject({
    ...channelCommon,
    type: z.literal('pagerduty'),
    url: httpUrl.default('https://events.pagerduty.com/v2/enqueue'),
    routing_key: z.string().min(1),
    timeout: durationSchema.default(10_000),
  }),
  z.strictObject({ ...channelCommon, type: z.literal('console') }),
  z.strictObject({ ...channelCommon, type: z.literal('file'), path: z.string().min(1) }),
]);
export type ChannelConfig = z.output<typeof channelSchema>;

export const routeSchema = z.strictObject({
  /** Label equality matchers; an empty map matches everything. */
  match: labelMap.default({}),
  /** Label regex matchers (anchored). */
  match_re: z
    .record(
      labelName,
      z.string().superRefine((s, ctx) => {
        const problem = labelRegexProblem(s);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .default({}),
  channels: z.array(z.string()).min(1),
  group_by: z.array(z.string().refine((k) => !isReservedKey(k), 'is a reserved name')).default(['alertname']),
  group_wait: durationSchema.default(30_000),
  group_interval: durationSchema.default(5 * 60_000),
  repeat_interval: durationSchema.default(4 * 3_600_000),
  continue: z.boolean().default(false),
});
export type RouteConfig = z.output<typeof routeSchema>;

export const alertingConfigSchema = z
  .strictObject({
    evaluation_interval: durationSchema.default(15_000),
    /** Link put into notifications (generatorURL/externalURL). */
    external_url: z.string().optional(),
    channels: z.array(channelSchema).default([]),
    routes: z.array(routeSchema).default([]),
    rules: z.array(ruleSchema).default([]),
    /** Spend budgets over LLM requests (src/budgets). */
    budgets: z.array(budgetSchema).default([]),
    /** Delivery retries of the outbox: exponential backoff, then dead-letter. */
    retry: z
      .strictObject({
        initial_backoff: durationSchema.default(1_000),
        max_backoff: durationSchema.default(5 * 60_000),
        max_attempts: z.int().min(1).default(10),
      })
      .default({ initial_backoff: 1_000, max_backoff: 300_000, max_attempts: 10 }),
    /**
     * Probable cause in notifications: the top finding of the collector's /v1/analyze for the
     * alert's run or provider/model, within a hard budget (src/probable-cause). Unset → off.
     */
    probable_cause: z
      .strictObject({
        collector_url: httpUrl,
        token: z.string().optional(),
        timeout: durationSchema.default(1_000),
        narrative: z.boolean().default(false),
        narrative_timeout: durationSchema.default(5_000),
      })
      .optional(),
    /** Leadership lease between replicas on one PostgreSQL; a dead leader is replaced after it expires. */
    leader_lease: durationSchema.default(15_000),
  })
  .superRefine((cfg, ctx) => {
    const channels = new Set<string>();
    cfg.channels.forEach((c, i) => {
      if (channels.has(c.name))
        ctx.addIssue({
          code: 'custom',
          path: ['channels', i, 'name'],
          message: `duplicate channel name "${c.name}"`,
        });
      channels.add(c.name);
    });
    cfg.routes.forEach((r, i) =>
      r.channels.forEach((name, j) => {
        if (!channels.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'channels', j],
            message: `unknown channel "${name}"`,
          });
      }),
    );
    const rules = new Set<string>();
    cfg.rules.forEach((r, i) => {
      if (rules.has(r.name))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'name'],
          message: `duplicate rule name "${r.name}"`,
        });
      rules.add(r.name);
    });
    const budgets = new Set<string>();
    cfg.budgets.forEach((b, i) => {
      if (budgets.has(b.name))
        ctx.addIssue({
          code: 'custom',
          path: ['budgets', i, 'name'],
          message: `duplicate budget name "${b.name}"`,
        });
      budgets.add(b.name);
    });
  });
export type AlertingConfig = z.output<typeof alertingConfigSchema>;
export type AlertingConfigInput = z.input<typeof alertingConfigSchema>;
