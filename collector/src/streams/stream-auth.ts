import type { IncomingMessage } from 'http';
import { bearerToken, isLoopbackAddress, tokenMatches, type SignedTokens } from '@aihub/core';

/**
 * The collector's token rules for requests that bypass express (the WebSocket upgrade):
 * no tokens configured → loopback clients only; else a configured bearer token, or a
 * short-lived signed stream token in ?access_token= (browsers cannot set headers there).
 */
export function streamRequestAllowed(
  req: IncomingMessage,
  tokens: string[],
  signed: SignedTokens,
  url: URL,
): boolean {
  if (tokens.length === 0) return isLoopbackAddress(req.socket.remoteAddress);
  if (tokenMatches(tokens, bearerToken(req.headers.authorization))) return true;
  const q = url.searchParams.get('access_token');
  return q !== null && signed.verify(q) === 'stream';
}
