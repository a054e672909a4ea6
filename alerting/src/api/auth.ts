import type { RequestHandler } from 'express';
import { bearerToken, isLoopbackAddress, tokenMatches } from '@aihub/core';
import { ApiError, sendError } from './errors';

/**
 * The collector's token rules: a bearer token (constant-time compare) on every endpoint but
 * /health and /ready; with no token configured only loopback clients are served.
 */
export function requireAuth(tokens: string[], publicPaths: string[] = ['/health', '/ready']): RequestHandler {
  const open = new Set(publicPaths);
  return (req, res, next) => {
    if (open.has(req.path)) return next();
    if (tokens.length === 0) {
      if (isLoopbackAddress(req.socket.remoteAddress)) return next();
      return sendError(
        res,
        new ApiError(401, 'unauthorized', 'no tokens are configured: only loopback clients are served'),
      );
    }
    if (tokenMatches(tokens, bearerToken(req.headers.authorization))) return next();
    res.set('WWW-Authenticate', 'Bearer');
    sendError(res, new ApiError(401, 'unauthorized', 'missing or invalid bearer token'));
  };
}
