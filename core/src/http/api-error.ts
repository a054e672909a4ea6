import type { FieldError } from '../model/push-schema';

/**
 * An error both services answer as `{"error": {"code", "message", "details": [{"path", "message"}]}}`
 * with its HTTP status (and headers such as Retry-After).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The JSON body of the answer. */
  body(): { error: { code: string; message: string; details: FieldError[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
