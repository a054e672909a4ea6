import type { ServerResponse } from 'http';
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

/**
 * A plain node response as a JsonResponse, for a route served before the framework (the push
 * path): the same JSON answers, written with node's own calls. A class, not an object literal
 * with a getter: a literal's accessor is stored in its hidden class, so each answer made a new
 * hidden class in old space, and the full collections they forced cost the push path a third
 * more CPU.
 */
export class NodeJsonResponse implements JsonResponse {
  constructor(private readonly res: ServerResponse) {}

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  end(): void {
    this.res.end();
  }

  set(headers: Record<string, string>): void {
    for (const [name, value] of Object.entries(headers)) this.res.setHeader(name, value);
  }

  status(code: number): { json(body: unknown): void } {
    this.res.statusCode = code;
    return this;
  }

  json(body: unknown): void {
    const text = JSON.stringify(body);
    this.res.setHeader('Content-Type', 'application/json; charset=utf-8');
    this.res.setHeader('Content-Length', Buffer.byteLength(text));
    this.res.end(text);
  }

  on(event: 'finish', fn: () => void): void {
    this.res.on(event, fn);
  }
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
