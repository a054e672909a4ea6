/**
 * Request bodies of the analysis API (DESIGN.md "Analysis"), as zod schemas: the collector
 * validates with them, the plugin imports the inferred types. Points are checked by a plain
 * loop rather than a schema per tuple, so 100k points validate in milliseconds.
 */
import { z } from 'zod';
import { MAX_TIMESTAMP_MS, parseTimestamp, timestampSchema } from '../model/time-input';
import { ThresholdOverridesSchema } from './thresholds';
import { ASSISTANT_ROLES } from './prompts';
import type { Point } from './types';

export const ANALYSIS_LIMITS = {
  maxSeries: 200,
  maxPointsPerSeries: 100_000,
  maxPointsTotal: 1_000_000,
  maxNameChars: 200,
  maxLabels: 32,
  maxLabelValueChars: 1024,
  maxQuestionChars: 4000,
  maxMessages: 50,
  maxMessageChars: 8000,
};

/** Epoch milliseconds or an RFC 3339 string → epoch milliseconds (strict: 1970 … 9999, real dates). */
export const TimestampSchema = z
  .union([z.number(), z.string()])
  .transform((v) => (typeof v === 'number' ? Math.round(v) : v))
  .pipe(timestampSchema);

const NON_FINITE: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  '+Infinity': Infinity,
  '-Infinity': -Infinity,
};

/**
 * [[ts, value], …]: ts epoch ms or RFC 3339; value a number, null (a gap, dropped) or the
 * strings "NaN" / "Infinity" / "-Infinity" (a diverged loss is data, and JSON cannot carry it).
 */
const PointsSchema = z
  .custom<unknown[]>((v) => Array.isArray(v), 'points must be an array of [timestamp, value]')
  .transform((raw, ctx): Point[] => {
    if (raw.length > ANALYSIS_LIMITS.maxPointsPerSeries) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${ANALYSIS_LIMITS.maxPointsPerSeries} points per series`,
      });
      return z.NEVER;
    }
    const out: Point[] = [];
    for (let i = 0; i < raw.length; i++) {
      const p = raw[i];
      if (!Array.isArray(p) || p.length !== 2) {
        ctx.addIssue({ code: 'custom', message: 'a point must be [timestamp, value]', path: [i] });
        return z.NEVER;
      }
      let [t, v] = p as [unknown, unknown];
      if (typeof t === 'string') {
        const parsed = parseTimestamp(t);
        t = parsed.ok ? parsed.value : NaN;
      }
      // Within what a Date can show: findings and narratives print these times.
      if (typeof t !== 'number' || !Number.isFinite(t) || Math.abs(t) > MAX_TIMESTAMP_MS) {
        ctx.addIssue({
          code: 'custom',
          message: 'timestamp must be epoch milliseconds or RFC 3339',
          path: [i, 0],
        });
        return z.NEVER;
      }
      if (v === null) continue;
      if (typeof v === 'string' && v in NON_FINITE) v = NON_FINITE[v];
      if (typeof v !== 'number') {
        ctx.addIssue({
          code: 'custom',
          message: 'value must be a number, null, "NaN", "Infinity" or "-Infinity"',
          path: [i, 1],
        });
        return z.NEVER;
      }
      out.push([t, v]);
    }
    return out;
  });

export const LabelsSchema = z
  .record(
    z.string().min(1).max(ANALYSIS_LIMITS.maxNameChars),
    z.string().max(ANALYSIS_LIMITS.maxLabelValueChars),
  )
  .refine(
    (l) => Object.keys(l).length <= ANALYSIS_LIMITS.maxLabels,
    `at most ${ANALYSIS_LIMITS.maxLabels} labels`,
  );

export const SeriesInputSchema = z.object({
  name: z.string().min(1).max(ANALYSIS_LIMITS.maxNameChars),
  labels: LabelsSchema.default({}),
  points: PointsSchema,
});

export const AnalysisKindSchema = z.enum(['training', 'llm', 'system', 'auto']);
export const AssistantRoleSchema = z.enum(ASSISTANT_ROLES);

export const AnalyzeRequestSchema = z
  .object({
    kind: AnalysisKindSchema.default('auto'),
    series: z.array(SeriesInputSchema).max(ANALYSIS_LIMITS.maxSeries).default([]),
    run_id: z.string().min(1).max(ANALYSIS_LIMITS.maxLabelValueChars).optional(),
    provider: z.string().min(1).max(ANALYSIS_LIMITS.maxLabelValueChars).optional(),
    model: z.string().min(1).max(ANALYSIS_LIMITS.maxLabelValueChars).optional(),
    from: TimestampSchema.optional(),
    to: TimestampSchema.optional(),
    question: z.string().max(ANALYSIS_LIMITS.maxQuestionChars).optional(),
    role: AssistantRoleSchema.optional(),
    thresholds: ThresholdOverridesSchema.optional(),
  })
  .refine((r) => r.series.reduce((n, s) => n + s.points.length, 0) <= ANALYSIS_LIMITS.maxPointsTotal, {
    message: `at most ${ANALYSIS_LIMITS.maxPointsTotal} points in all`,
    path: ['series'],
  })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type AnalyzeRequest = z.infer<typeof AnalyzeRequestSchema>;
export type AnalyzeRequestInput = z.input<typeof AnalyzeRequestSchema>;

export const ChatContextSchema = z
  .object({
    run_id: z.string().min(1).max(ANALYSIS_LIMITS.maxLabelValueChars).optional(),
    provider: z.string().min(1).max(ANALYSIS_LIMITS.maxLabelValueChars).optional(),
    model: z.string().min(1).max(ANALYSIS_LIMITS.maxLabelValueChars).optional(),
    from: TimestampSchema.optional(),
    to: TimestampSchema.optional(),
  })
  .refine((c) => c.from === undefined || c.to === undefined || c.from <= c.to, {
    message: 'from must not be after to',
    path: ['from'],
  });
export type ChatContext = z.infer<typeof ChatContextSchema>;

export const ChatRequestSchema = z.object({
  messages: z
    .array(
      z.object({
        role: z.enum(['user', 'assistant']),
        content: z.string().min(1).max(ANALYSIS_LIMITS.maxMessageChars),
      }),
    )
    .min(1)
    .max(ANALYSIS_LIMITS.maxMessages)
    .refine((m) => m[m.length - 1]?.role === 'user', 'the last message must be from the user'),
  context: ChatContextSchema.default({}),
  role: AssistantRoleSchema.optional(),
  thresholds: ThresholdOverridesSchema.optional(),
});
export type ChatRequest = z.infer<typeof ChatRequestSchema>;
export type ChatRequestInput = z.input<typeof ChatRequestSchema>;
