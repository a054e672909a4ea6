import { z } from 'zod';
import { defaultLimits, type IngestLimits } from './limits';
import {
  isReservedKey,
  LABEL_SET_MESSAGE,
  labelProblem,
  labelSetTooLarge,
  MAX_INDEXED_VALUE_BYTES,
  MAX_SERIES_LABEL_BYTES,
  safeString,
} from './safe-input';
import { checkTimestamp, parseRfc3339 } from './time-input';

export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The push payload of POST /v1/push, built for a set of limits. Validation, the TypeScript
 * types and the error messages all come from this one definition.
 */
export function createPushSchema(limits: IngestLimits = defaultLimits, now: () => number = Date.now) {
  // Strict: an impossible date ("2026-02-31") or an epoch beyond 9999 is an error, never moved.
  const timestamp = z.union([z.number(), z.string()]).transform((v, ctx) => {
    const parsed = typeof v === 'number' ? checkTimestamp(v) : parseRfc3339(v);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    if (parsed.value > now() + limits.maxFutureMs) {
      ctx.addIssue({
        code: 'custom',
        message: `more than ${Math.round(limits.maxFutureMs / 60000)} minutes in the future`,
      });
      return z.NEVER;
    }
    return parsed.value;
  });
  const ts = timestamp.optional();
  const name = z
    .string()
    .min(1, 'must not be empty')
    .max(limits.maxNameLength, `longer than ${limits.maxNameLength} characters`)
    .regex(METRIC_NAME, 'must match [a-zA-Z_:][a-zA-Z0-9_:]*');
  // PostgreSQL cannot store NUL or lone surrogates: reject them here (400), never fail at commit (503).
  const text = () => safeString();
  const labelValue = text().max(
    limits.maxLabelValueLength,
    `longer than ${limits.maxLabelValueLength} characters`,
  );
  // A hand-written loop: zod's record() costs ~4× as much on the hot path, and labels are on
  // every sample. Paths and messages stay in zod's format.
  const labels = z
    .custom<Record<string, string>>(
      (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
      'must be an object of string label values',
    )
    .superRefine((l, ctx) => {
      let count = 0;
      let chars = 0;
      for (const key in l) {
        if (!Object.hasOwn(l, key)) continue;
        count++;
        const problem = labelProblem(key, l[key], limits, LABEL_NAME);
        if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
        else chars += key.length + l[key].length;
      }
      if (count > limits.maxLabels)
        ctx.addIssue({ code: 'custom', message: `more than ${limits.maxLabels} labels` });
      else if (chars * 3 > MAX_SERIES_LABEL_BYTES && labelSetTooLarge(l))
        ctx.addIssue({ code: 'custom', message: LABEL_SET_MESSAGE });
    });
  // Ids are indexed on their own (host, run_id, provider, model, user_id): bounded in bytes too.
  const indexedValue = safeString(MAX_INDEXED_VALUE_BYTES).max(
    limits.maxLabelValueLength,
    `longer than ${limits.maxLabelValueLength} characters`,
  );
  const id = safeString(MAX_INDEXED_VALUE_BYTES).min(1, 'must not be empty').max(limits.maxLabelValueLength);
  const percent = z.number().min(0, 'a percentage is 0–100').max(100, 'a percentage is 0–100');
  const count = z.number().int('must be an integer').nonnegative('must not be negative');
  const bytes = z.number().nonnegative('must not be negative');
  const items = <T extends z.ZodTypeAny>(item: T) =>
    z.array(item).max(limits.maxItems, `more than ${limits.maxItems} items`);

  const gpu = z.strictObject({
    index: count,
    utilization_percent: percent.optional(),
    memory_used_bytes: bytes.optional(),
    memory_total_bytes: bytes.optional(),
    temperature_celsius: z.number().optional(),
  });
  const system = z.strictObject({
    host: id,
    ts,
    cpu_usage_percent: percent.optional(),
    memory_usage_percent: percent.optional(),
    disk_usage_percent: percent.optional(),
    load_avg_1m: z.number().nonnegative().optional(),
    network_rx_bytes: bytes.optional(),
    network_tx_bytes: bytes.optional(),
    gpus: z.array(gpu).max(64).optional(),
  });
  const business = z
    .strictObject({
      name,
      value: z.number(),
      unit: labelValue.optional(),
      ts,
      user_id: labelValue.optional(),
      organization_id: labelValue.optional(),
      tags: labels.optional(),
    })
    .superRefine((b, ctx) => {
      // unit, organization_id and user_id join the tags as the series' labels.
      if (b.unit === undefined && b.organization_id === undefined && b.user_id === undefined) return;
      const all = { ...b.tags, unit: b.unit, organization_id: b.organization_id, user_id: b.user_id };
      if (labelSetTooLarge(all)) ctx.addIssue({ code: 'custom', path: ['tags'], message: LABEL_SET_MESSAGE });
    });
  const llm = z.strictObject({
    ts,
    provider: id,
    model: id,
    operation: text().min(1).max(64).optional(),
    input_tokens: count.optional(),
    output_tokens: count.optional(),
    cached_tokens: count.optional(),
    latency_ms: z.number().nonnegative().optional(),
    ttft_ms: z.number().nonnegative().optional(),
    status: z.enum(['ok', 'error']).optional(),
    error_type: labelValue.optional(),
    cache_hit: z.boolean().optional(),
    cost_usd: z.number().nonnegative().optional(),
    user_id: indexedValue.optional(),
    session_id: labelValue.optional(),
    organization_id: labelValue.optional(),
    tags: labels.optional(),
  });
  const metricKey = z
    .string()
    .max(limits.maxNameLength)
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'metric keys must match [a-zA-Z_][a-zA-Z0-9_]*')
    .refine((k) => !isReservedKey(k), 'is a reserved name');
  const training = z.strictObject({
    run_id: id,
    ts,
    status: z.enum(['running', 'finished', 'failed']).optional(),
    epoch: z.number().nonnegative().optional(),
    step: count.optional(),
    metrics: z
      .record(metricKey, z.number())
      .refine((m) => Object.keys(m).length <= 256, 'more than 256 metrics'),
    model_info: z.strictObject({ name: labelValue.optional(), parameters: count.optional() }).optional(),
  });
  const sample = z.strictObject({ name, value: z.number(), labels: labels.optional(), ts });

  return z
    .strictObject({
      system: items(system).optional(),
      business: items(business).optional(),
      llm: items(llm).optional(),
      training: items(training).optional(),
      samples: items(sample).optional(),
    })
    .superRefine((p, ctx) => {
      const total =
        (p.system?.length ?? 0) +
        (p.business?.length ?? 0) +
        (p.llm?.length ?? 0) +
        (p.training?.length ?? 0) +
        (p.samples?.length ?? 0);
      if (total > limits.maxItems)
        ctx.addIssue({
          code: 'custom',
          message: `more than ${limits.maxItems} items in one request`,
          path: [],
        });
    });
}

export type PushSchema = ReturnType<typeof createPushSchema>;
export type PushPayload = z.output<PushSchema>;
export type SystemItem = NonNullable<PushPayload['system']>[number];
export type BusinessItem = NonNullable<PushPayload['business']>[number];
export type LlmItem = NonNullable<PushPayload['llm']>[number];
export type TrainingItem = NonNullable<PushPayload['training']>[number];
export type SampleItem = NonNullable<PushPayload['samples']>[number];
/** What a pusher writes (timestamps as epoch ms or RFC 3339). */
export type PushInput = z.input<PushSchema>;

export interface FieldError {
  path: string;
  message: string;
}

/** zod issues → [{path: "samples[3].value", message}] for the 400 body. */
export function toFieldErrors(error: z.ZodError, max = 20): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out.slice(0, max);
}

export function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(body)';
}
