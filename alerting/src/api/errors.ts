import type { ErrorRequestHandler } from 'express';
import type { z } from 'zod';
import { ApiError, apiErrorHandler, sendApiError } from '@aihub/core';
import { zodIssues } from '../config/issues';

// The error format is shared with the collector (core/src/http/api-error.ts).
export { ApiError, sendApiError as sendError };

export function validationError(error: z.ZodError, what = 'request body'): ApiError {
  return new ApiError(400, 'invalid', `invalid ${what}`, zodIssues(error));
}

/** Last express error handler (the shared one in core). */
export function errorHandler(log: (err: unknown) => void): ErrorRequestHandler {
  return apiErrorHandler(log) as ErrorRequestHandler;
}
