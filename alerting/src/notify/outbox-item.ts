import type { Notification } from '../types/notification';

/** One outbox row on its way through the delivery-side stages. */
export interface OutboxItem {
  id: number;
  channel: string;
  groupKey: string;
  payload: Notification;
  attempts: number;
  now: number;
}

export interface RetryPolicy {
  initial_backoff: number;
  max_backoff: number;
  max_attempts: number;
}

/** Exponential backoff: initial, 2×, 4×, … capped; a receiver's Retry-After wins when longer. */
export function backoffMs(policy: RetryPolicy, attempts: number, retryAfterMs?: number): number {
  const exp = Math.min(policy.max_backoff, policy.initial_backoff * 2 ** Math.max(0, attempts - 1));
  return Math.max(exp, retryAfterMs ?? 0);
}
