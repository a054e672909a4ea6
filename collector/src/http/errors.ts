import type { ErrorRequestHandler } from 'express';
import { ApiError, apiErrorHandler, sendApiError } from '@aihub/core';

// The error format is shared with the alerting service (core/src/http/api-error.ts).
export { ApiError, sendApiError as sendError };

/** Last express error handler. */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return apiErrorHandler(log) as ErrorRequestHandler;
}
