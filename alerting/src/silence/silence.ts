import { z } from 'zod';
import { timestampSchema } from '@aihub/core';
import { labelRegexMatches, labelRegexProblem } from '../config/label-regex';
import {
  labelName,
  MAX_LABEL_VALUE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  safeText,
} from '../config/schema';
import type { Labels } from '../types/labels';

/** Alertmanager-style matcher: equality or anchored RE2 regex, optionally negated. */
export const matcherSchema = z
  .strictObject({
    name: labelName,
    value: safeText(MAX_LABEL_VALUE_LENGTH),
    is_regex: z.boolean().default(false),
    is_equal: z.boolean().default(true),
  })
  .superRefine((m, ctx) => {
    const problem = m.is_regex ? labelRegexProblem(m.value) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });
export type Matcher = z.output<typeof matcherSchema>;

/** Epoch ms or RFC 3339, strictly: no impossible dates, nothing before 1970 or after 9999. */
const time = timestampSchema;

export const silenceInputSchema = z
  .strictObject({
    matchers: z.array(matcherSchema).min(1).max(64),
    starts_at: time.optional(),
    ends_at: time,
    comment: safeText(MAX_TEXT_LENGTH).default(''),
    created_by: safeText(MAX_NAME_LENGTH).min(1),
  })
  .superRefine((s, ctx) => {
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
  const v = Object.hasOwn(labels, m.name) ? labels[m.name] : '';
  const hit = m.is_regex ? labelRegexMatches(m.value, v) : v === m.value;
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
