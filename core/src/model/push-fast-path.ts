import { defaultLimits, type IngestLimits } from './limits';
import { LABEL_NAME, METRIC_NAME, type PushPayload } from './push-schema';
import { MAX_SERIES_LABEL_BYTES } from './safe-input';

// Strings the fast path leaves to the schema: NUL (PostgreSQL text cannot hold it) and any
// surrogate, paired or not, so whatever the schema decides about them stays its decision.
// eslint-disable-next-line no-control-regex -- NUL is exactly what it looks for
const UNUSUAL_TEXT = /[\u0000\ud800-\udfff]/;
const SAMPLE_KEYS: Record<string, true> = { name: true, value: true, labels: true, ts: true };

/**
 * The push most clients send, checked by hand without allocating: a body of `samples` only,
 * epoch-ms timestamps, plain names and label values. zod spends ~4 µs per sample on it, this
 * a fraction of that. The answer is either "certainly valid" — the payload, which for this
 * shape is the input itself — or undefined, and then the push schema decides and names the
 * errors. It must never accept what the schema rejects: push-fast-path.test.ts checks that
 * the two agree on a corpus of good and bad input; a rule added to the schema for samples
 * belongs here too (or makes this return undefined).
 */
export function createFastPushParser(
  limits: IngestLimits = defaultLimits,
  now: () => number = Date.now,
): (input: unknown) => PushPayload | undefined {
  function validSample(s: unknown, latestMs: number): boolean {
    if (!isPlainObject(s)) return false;
    for (const k in s) if (SAMPLE_KEYS[k] !== true) return false;
    const { name, value, labels, ts } = s as Record<string, unknown>;
    if (!isPlainMetricName(name, limits)) return false;
    if (!isPlainValue(value)) return false;
    if ('ts' in s && !isPlainTimestamp(ts, latestMs)) return false;
    return !('labels' in s) || arePlainLabels(labels, limits);
  }

  return (input) => {
    if (!isPlainObject(input)) return undefined;
    for (const k in input) if (k !== 'samples') return undefined;
    const samples = (input as { samples?: unknown }).samples;
    if (!Array.isArray(samples) || samples.length > limits.maxItems) return undefined;
    const latestMs = now() + limits.maxFutureMs;
    for (let i = 0; i < samples.length; i++) if (!validSample(samples[i], latestMs)) return undefined;
    return input as PushPayload;
  };
}

// The rules of the fast path, one per field, shared with the byte-level samples reader
// (samples-json-reader.ts) so both accept exactly the same samples.

/** A metric name the schema certainly accepts. */
export function isPlainMetricName(name: unknown, limits: IngestLimits): name is string {
  return typeof name === 'string' && name.length <= limits.maxNameLength && METRIC_NAME.test(name);
}

export const isPlainValue = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Epoch milliseconds the schema certainly accepts, up to latestMs (now + MAX_FUTURE). */
export const isPlainTimestamp = (ts: unknown, latestMs: number): ts is number =>
  Number.isSafeInteger(ts) && (ts as number) >= 0 && (ts as number) <= latestMs;

/** A label set the schema certainly accepts: plain names, string values, small enough to index. */
export function arePlainLabels(labels: unknown, limits: IngestLimits): labels is Record<string, string> {
  if (!isPlainObject(labels)) return false;
  let count = 0;
  let chars = 0;
  for (const k in labels) {
    // "__" names (__proto__ among them) are the schema's to judge.
    if (++count > limits.maxLabels || k.length > limits.maxNameLength || k.startsWith('__')) return false;
    if (!LABEL_NAME.test(k)) return false;
    const v = (labels as Record<string, unknown>)[k];
    if (typeof v !== 'string' || v.length > limits.maxLabelValueLength || UNUSUAL_TEXT.test(v)) return false;
    chars += k.length + v.length;
  }
  // A label set that might not fit its index entry is the schema's to measure in bytes.
  return chars * 3 <= MAX_SERIES_LABEL_BYTES;
}

function isPlainObject(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  return Object.getPrototypeOf(v) === Object.prototype;
}
