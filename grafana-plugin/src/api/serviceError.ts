import type { LlmError } from './types';

export type ServiceName = 'collector' | 'alerting';

/**
 * One error type for everything that goes wrong talking to a service, so components can tell
 * "unreachable" (proxy could not connect, 502/503/504) from "the service said no" (4xx with the
 * services' `{error: {code, message}}` body) and show the analysis API's suggestion when present.
 */
export class ServiceError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly llmError?: LlmError
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  get unreachable(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

/** Reads the services' error body `{error: {code, message}}` (or an `llm_error`) into a ServiceError. */
export function toServiceError(service: ServiceName, status: number, body: unknown, fallback: string): ServiceError {
  const obj = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const err = (obj.error && typeof obj.error === 'object' ? obj.error : {}) as Record<string, unknown>;
  const llm = obj.llm_error as LlmError | undefined;
  const message =
    (typeof err.message === 'string' && err.message) ||
    (typeof obj.message === 'string' && obj.message) ||
    llm?.message ||
    (status === 0 ? `${service} is unreachable` : fallback);
  const code = typeof err.code === 'string' ? err.code : llm?.category;
  return new ServiceError(service, status, message, code, llm);
}

export function describeError(error: unknown): string {
  if (error instanceof ServiceError) {
    if (error.unreachable) {
      return `The ${error.service} service is unreachable (HTTP ${error.status || 'no response'}). Check its URL on the Configuration page.`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
