import type { ErrorRequestHandler, Response } from 'express';
import type { z } from 'zod';
import { ApiError } from '@aihub/core';
import { zodIssues } from '../config/issues';

export { ApiError };

export function validationError(error: z.ZodError, what = 'request body'): ApiError {
  return new ApiError(400, 'invalid', `invalid ${what}`, zodIssues(error));
}

export function sendError(res: Response, err: ApiError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.set(err.headers);
  res.status(err.status).json(err.body());
}

/** Last error handler: known errors keep their status, express's own 4xx (bad JSON, too large) too; anything else is a logged 500. */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    if (err instanceof ApiError) return sendError(res, err);
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log(err);
    const code = status === 413 ? 'too_large' : status === 500 ? 'internal' : 'bad_request';
    sendError(res, new ApiError(status, code, status === 500 ? 'internal error' : String(err.message)));
  };
}
