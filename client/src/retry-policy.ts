/** When and how long to wait before retrying a push. */
export interface RetryPolicy {
  maxRetries: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** A server's Retry-After is honoured up to this long. */
  maxRetryAfterMs: number;
}

export const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Retry-After as delta-seconds or an HTTP date → milliseconds from now (undefined if absent/invalid). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Delay before retry number `attempt` (0-based): the server's Retry-After when it sent one,
 * else exponential backoff with "equal jitter" (half fixed, half random) so that clients
 * that failed together do not retry together.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}
