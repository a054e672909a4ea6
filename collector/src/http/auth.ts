import type { IncomingMessage } from 'http';
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
 * The check behind requireAuth, for a request's path (and its query, read only when a signed
 * token could be in it): null when it may pass, else the 401 to answer.
 */
export function authCheck(
  opts: AuthOptions,
): (
  req: Pick<IncomingMessage, 'headers' | 'socket'>,
  path: string,
  query?: () => Record<string, unknown>,
) => ApiError | null {
  const open = new Set(opts.publicPaths);
  return (req, path, query) => {
    if (open.has(path)) return null;
    if (opts.tokens.length === 0) {
      if (isLoopbackAddress(req.socket.remoteAddress)) return null;
      return new ApiError(401, 'unauthorized', 'no tokens are configured: only loopback clients are served');
    }
    if (tokenMatches(opts.tokens, bearerToken(req.headers.authorization))) return null;
    const q = query?.().access_token;
    if (
      typeof q === 'string' &&
      opts.signedTokens &&
      opts.signedTokenPaths?.some((p) => path.startsWith(p)) &&
      opts.signedTokens.verify(q) === 'stream'
    ) {
      return null;
    }
    return new ApiError(401, 'unauthorized', 'missing or invalid bearer token', [], {
      'WWW-Authenticate': 'Bearer',
    });
  };
}

/**
 * Bearer tokens on every endpoint but health checks. With no token configured only loopback
 * clients are served (and the service warns at start).
 */
export function requireAuth(opts: AuthOptions): RequestHandler {
  const check = authCheck(opts);
  return (req, res, next) => {
    const denied = check(req, req.path, () => req.query as Record<string, unknown>);
    if (!denied) return next();
    sendError(res, denied);
  };
}
