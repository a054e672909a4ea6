import { redactUrlsIn } from '@aihub/core';
import type { Notification } from '../types/notification';

/** Every channel type implements this one interface (Alertmanager's notify.Notifier). */
export interface Integration {
  readonly name: string;
  readonly type: string;
  readonly sendResolved: boolean;
  /** Delivers or throws; a DeliveryError says whether and when to try again. */
  send(n: Notification): Promise<void>;
  close?(): Promise<void>;
}

/** A failed delivery. `retryable` false goes straight to the dead letters (e.g. HTTP 400). */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** A receiver's Retry-After, in ms. */
    readonly retryAfterMs?: number,
  ) {
    // Shown in /v1/notifications, test answers and logs: URLs keep no credentials.
    super(redactUrlsIn(message));
  }
}

/** HTTP status → retry decision, as Alertmanager does: 5xx and 429 retry, other 4xx do not. */
export function httpFailure(channel: string, status: number, retryAfter?: string | null): DeliveryError {
  const retryable = status >= 500 || status === 429 || status === 408;
  return new DeliveryError(
    `${channel}: receiver answered HTTP ${status}`,
    retryable,
    parseRetryAfter(retryAfter),
  );
}

/** Retry-After as seconds or an HTTP date; ms, or undefined. */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : Math.max(0, t - nowMs);
}
