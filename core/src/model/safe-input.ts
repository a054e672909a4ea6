import { z } from 'zod';
import type { FieldError } from './push-schema';

/**
 * Keys that name Object.prototype's machinery. As label, tag, attribute or matcher names a
 * plain object would drop them (`o.__proto__ = v` sets the prototype) or merge them into
 * another series, so every API rejects them with a 400 naming the path.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export const isReservedKey = (key: string): boolean => RESERVED_KEYS.has(key);

/** Node 20 has String.prototype.isWellFormed; TypeScript's ES2022 lib does not declare it. */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Text PostgreSQL can store and every client can read back: no NUL (text and jsonb reject it)
 * and no lone UTF-16 surrogate (not encodable as UTF-8; jsonb rejects "\ud800").
 */
export function isSafeText(s: string): boolean {
  return s.indexOf('\u0000') === -1 && wellFormed(s);
}

/**
 * zod: a string that is safe text (both services' schemas build on it); with maxBytes, also at
 * most that many UTF-8 bytes. One refinement for both, as it runs on every pushed id.
 */
export const safeString = (maxBytes?: number) =>
  z.string().superRefine((v, ctx) => {
    const reason =
      unsafeTextReason(v) ??
      (maxBytes !== undefined && textBytesOver([v], maxBytes)
        ? `longer than ${maxBytes} bytes in UTF-8 (an index entry holds no more)`
        : null);
    if (reason) ctx.addIssue({ code: 'custom', message: reason });
  });

/** Why a string is not safe text, or null. */
export function unsafeTextReason(s: string): string | null {
  if (s.indexOf('\u0000') !== -1) return 'must not contain NUL characters';
  if (!wellFormed(s)) return 'must not contain lone UTF-16 surrogates (not valid Unicode)';
  return null;
}

// In JSON text a NUL or a lone surrogate can only arrive as a \u escape (raw control
// characters are invalid JSON, and invalid UTF-8 decodes to U+FFFD), and a reserved key only
// as itself in quotes (an escaped spelling is caught by the walk whenever the scan fires for
// another reason, and by each label rule otherwise): one scan of the text decides whether the
// parsed value needs walking at all.
const SUSPECT = /\\u(?:0000|[dD][89a-fA-F])|"(?:__proto__|constructor|prototype)"/;

/** False when JSON text cannot hold a NUL, a lone surrogate or a reserved key (the cheap common case). */
export function jsonMayBeUnsafe(jsonText: string): boolean {
  return SUSPECT.test(jsonText);
}

/**
 * Every string and object key in a parsed JSON value that is not safe text, and every key that
 * is reserved (`__proto__`, `constructor`, `prototype`), as
 * [{path: "samples[3].labels.host", message}], at most `max` of them.
 */
export function findUnsafeJson(value: unknown, max = 20): FieldError[] {
  const out: FieldError[] = [];
  const walk = (v: unknown, path: string): void => {
    if (out.length >= max) return;
    if (typeof v === 'string') {
      const reason = unsafeTextReason(v);
      if (reason) out.push({ path: path || '(body)', message: reason });
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length && out.length < max; i++) walk(v[i], `${path}[${i}]`);
    } else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        const at = path ? `${path}.${key}` : key;
        const textReason = unsafeTextReason(key);
        const message = isReservedKey(key)
          ? `"${key}" is a reserved name and cannot be a field, label or attribute name`
          : textReason && `the field name ${textReason}`;
        if (message) {
          out.push({ path: at, message });
          if (out.length >= max) return;
        }
        walk((v as Record<string, unknown>)[key], at);
      }
    }
  };
  walk(value, '');
  return out;
}

/** What is wrong with one label (name and value) under the ingest limits, or null. */
export function labelProblem(
  name: string,
  value: unknown,
  limits: { maxNameLength: number; maxLabelValueLength: number },
  namePattern: RegExp,
): string | null {
  if (name.length > limits.maxNameLength || !namePattern.test(name))
    return `label names must match ${namePattern.source.slice(1, -1)}`;
  if (isReservedKey(name)) return `"${name}" is a reserved name`;
  if (typeof value !== 'string') return `label values must be strings, received ${typeof value}`;
  if (value.length > limits.maxLabelValueLength)
    return `longer than ${limits.maxLabelValueLength} characters`;
  return unsafeTextReason(value);
}

/**
 * What one index entry holds: PostgreSQL's btree rows are at most 2704 bytes, and a series is
 * indexed by (name, labels); an id (host, run_id, provider, model, user_id) by itself. Beyond
 * these a commit fails (a 503 for bad input), so validation refuses them first.
 */
export const MAX_SERIES_LABEL_BYTES = 2048;
export const MAX_INDEXED_VALUE_BYTES = 1024;

/** UTF-8 bytes of keys and values; exact only when the characters could exceed `limit`. */
export function textBytesOver(parts: (string | undefined)[], limit: number): boolean {
  let chars = 0;
  for (const p of parts) if (p) chars += p.length;
  if (chars > limit) return true;
  if (chars * 3 <= limit) return false; // a UTF-16 unit is at most 3 UTF-8 bytes
  let bytes = 0;
  for (const p of parts) if (p) bytes += Buffer.byteLength(p, 'utf8');
  return bytes > limit;
}

export const LABEL_SET_MESSAGE = `the labels of one series take more than ${MAX_SERIES_LABEL_BYTES} bytes (an index entry holds no more)`;

/** True when a series' labels (keys and values) exceed what its index entry holds. */
export function labelSetTooLarge(labels: Record<string, string | undefined>): boolean {
  const parts: (string | undefined)[] = [];
  for (const key in labels) if (labels[key] !== undefined) parts.push(key, labels[key]);
  return textBytesOver(parts, MAX_SERIES_LABEL_BYTES);
}
