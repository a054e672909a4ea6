import type { RequestHandler } from 'express';
import { bearerToken, isLoopbackAddress, tokenMatches, type SignedTokens } from '@aihub/core';
import { ApiError, sendError } from './errors';

export interface AuthOptions {
  tokens: string[];
  /** Paths served without a token. */
  publicPaths: string[];
  /** Accepts `?access_token=` signed tokens (for EventSource/WebSocket) on these path prefixes. */
  signedTokenPaths?: string[];
  signedTokens?: SignedTokens;
}

/**
 * Bearer tokens on every endpoint but health checks. With no token configured only loopback
 * clients are served (and the service warns at start).
 */
export function requireAuth(opts: AuthOptions): RequestHandler {
  const open = new Set(opts.publicPaths);
  return (req, res, next) => {
    if (open.has(req.path)) return next();
    if (opts.tokens.length === 0) {
      if (isLoopbackAddress(req.socket.remoteAddress)) return next();
      return sendError(
        res,
        new ApiError(401, 'unauthorized', 'no tokens are configured: only loopback clients are served'),
      );
    }
    if (tokenMatches(opts.tokens, bearerToken(req.headers.authorization))) return next();
    const q = req.query.access_token;
    if (
      typeof q === 'string' &&
      opts.signedTokens &&
      opts.signedTokenPaths?.some((p) => req.path.startsWith(p)) &&
      opts.signedTokens.verify(q) === 'stream'
    ) {
      return next();
    }
    res.set('WWW-Authenticate', 'Bearer');
    sendError(res, new ApiError(401, 'unauthorized', 'missing or invalid bearer token'));
  };
}
