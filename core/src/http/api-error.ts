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

/** The part of an HTTP framework's response the error answer needs (express's Response fits). */
export interface JsonResponse {
  headersSent: boolean;
  end(): unknown;
  set(headers: Record<string, string>): unknown;
  status(code: number): { json(body: unknown): unknown };
}

export function sendApiError(res: JsonResponse, err: ApiError): void {
  if (res.headersSent) {
    res.end(); // a streamed answer already started: all we can do is end it
    return;
  }
  res.set(err.headers);
  res.status(err.status).json(err.body());
}

/**
 * The last error handler of both services: known errors keep their status, a framework's own
 * 4xx (bad JSON, too large) too; anything else is logged and answered as a 500 without details.
 */
export function apiErrorHandler(log: (err: unknown) => void) {
  return (err: unknown, _req: unknown, res: JsonResponse, _next: unknown): void => {
    if (err instanceof ApiError) return sendApiError(res, err);
    const e = err as { status?: unknown; message?: unknown } | null;
    const status = typeof e?.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 500;
    if (status === 500) log(err);
    const code = status === 413 ? 'too_large' : status === 500 ? 'internal' : 'bad_request';
    sendApiError(res, new ApiError(status, code, status === 500 ? 'internal error' : String(e?.message)));
  };
}
