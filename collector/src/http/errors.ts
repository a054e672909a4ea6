import type { ErrorRequestHandler, Response } from 'express';
import { ApiError } from '@aihub/core';

export { ApiError };

export function sendError(res: Response, err: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.set(err.headers);
  res.status(err.status).json(err.body());
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
