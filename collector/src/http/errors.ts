import type { ErrorRequestHandler, Response } from 'express';
import type { FieldError } from '@aihub/core';

/** An error answered as `{"error": {"code", "message", "details"}}` with its HTTP status. */
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
}

export function sendError(res: Response, err: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.set(err.headers);
  res.status(err.status).json({ error: { code: err.code, message: err.message, details: err.details } });
}

/** Last express error handler: known errors keep their status; anything else is a logged 500. */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ApiError) return sendError(res, err);
    // express's own body/URL errors carry a 4xx status
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log(err);
    sendError(
      res,
      new ApiError(
        status,
        status === 500 ? 'internal' : 'bad_request',
        status === 500 ? 'internal error' : String(err.message),
      ),
    );
  };
}
