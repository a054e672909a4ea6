import { z } from 'zod';
import type { Labels } from '../types/labels';

/** Alertmanager-style matcher: equality or anchored regex, optionally negated. */
export const matcherSchema = z.strictObject({
  name: z.string().min(1),
  value: z.string(),
  is_regex: z.boolean().default(false),
  is_equal: z.boolean().default(true),
});
export type Matcher = z.output<typeof matcherSchema>;

const time = z
  .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

export const silenceInputSchema = z
  .strictObject({
    matchers: z.array(matcherSchema).min(1),
    starts_at: time.optional(),
    ends_at: time,
    comment: z.string().max(10_000).default(''),
    created_by: z.string().min(1).max(200),
  })
  .superRefine((s, ctx) => {
    s.matchers.forEach((m, i) => {
      if (!m.is_regex) return;
      try {
        new RegExp(m.value);
      } catch {
        ctx.addIssue({
          code: 'custom',
          path: ['matchers', i, 'value'],
          message: 'is not a valid regular expression',
        });
      }
    });
    if (s.starts_at !== undefined && s.ends_at <= s.starts_at)
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'must be after starts_at' });
  });
export type SilenceInput = z.output<typeof silenceInputSchema>;

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  comment: string;
  createdBy: string;
}

export function matcherMatches(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  const hit = m.is_regex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
  return hit === m.is_equal;
}

/** A silence mutes alerts whose labels satisfy all its matchers while it is active. */
export function silences(s: Silence, labels: Labels, nowMs: number): boolean {
  return s.startsAt <= nowMs && nowMs < s.endsAt && s.matchers.every((m) => matcherMatches(m, labels));
}

export function silenceState(s: Silence, nowMs: number): 'pending' | 'active' | 'expired' {
  return nowMs < s.startsAt ? 'pending' : nowMs < s.endsAt ? 'active' : 'expired';
}

export function silenceJson(s: Silence, nowMs: number) {
  return {
    id: s.id,
    matchers: s.matchers,
    starts_at: new Date(s.startsAt).toISOString(),
    ends_at: new Date(s.endsAt).toISOString(),
    comment: s.comment,
    created_by: s.createdBy,
    status: silenceState(s, nowMs),
  };
}
