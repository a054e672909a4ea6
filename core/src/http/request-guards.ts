import { ApiError, sendApiError, type JsonResponse } from './api-error';
import { findUnsafeJson, unsafeTextReason } from '../model/safe-input';
import type { FieldError } from '../model/push-schema';

/** The parts of an HTTP request (express's fits) the guards read. */
interface GuardedRequest {
  path: string;
  query: unknown;
  headers: Record<string, string | string[] | undefined>;
  socket: { bytesRead: number; destroy(): void };
  complete: boolean;
  on(event: 'close' | 'end', fn: () => void): unknown;
}
interface GuardedResponse extends JsonResponse {
  on(event: 'finish', fn: () => void): unknown;
}
type Next = () => void;

/** NUL bytes and lone surrogates in the decoded path or query, reserved query keys, as field errors. */
export function unsafeRequestText(req: { path: string; query: unknown }): FieldError[] {
  const out: FieldError[] = [];
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      out.push({ path: '(path)', message: 'is not valid percent-encoded UTF-8' });
      break;
    }
    const reason = unsafeTextReason(decoded);
    if (reason) {
      out.push({ path: '(path)', message: reason });
      break;
    }
  }
  if (req.query && typeof req.query === 'object') out.push(...findUnsafeJson(req.query));
  return out;
}

/**
 * Answers 400 naming the parameter when the path or query string holds text the services
 * cannot store or compare (NUL, lone surrogates) — before any route hands it to SQL.
 */
export function rejectUnsafeRequestText() {
  return (req: GuardedRequest, res: JsonResponse, next: Next): void => {
    const problems = unsafeRequestText(req);
    if (problems.length === 0) return next();
    sendApiError(
      res,
      new ApiError(400, 'invalid_input', 'the path or query string holds unusable text or names', problems),
    );
  };
}

/** 400 naming each string of a parsed JSON body that holds NUL or a lone surrogate, and each reserved key. */
export function unsafeBodyError(body: unknown): ApiError | null {
  const problems = findUnsafeJson(body);
  if (problems.length === 0) return null;
  return new ApiError(400, 'invalid_input', 'the body holds unusable text or names', problems);
}

const hasBody = (req: Pick<GuardedRequest, 'headers'>) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/**
 * A body idle timeout: a request whose body has not advanced for `idleMs` is answered 408 and
 * its connection closed, so a client that trickles or stalls cannot hold a socket and a
 * request slot for ever. It watches the socket's byte count instead of reading the stream, so
 * the route still reads the body itself.
 */
export function bodyIdleTimeout(idleMs: number, onTimeout: () => void = () => {}) {
  return (req: Omit<GuardedRequest, 'path' | 'query'>, res: GuardedResponse, next: Next): void => {
    if (!hasBody(req) || idleMs <= 0) return next();
    let seen = req.socket.bytesRead;
    const check = setInterval(
      () => {
        if (req.complete) return clearInterval(check);
        const now = req.socket.bytesRead;
        if (now !== seen) {
          seen = now;
          return;
        }
        clearInterval(check);
        onTimeout();
        const seconds = Math.round(idleMs / 100) / 10;
        res.on('finish', () => req.socket.destroy());
        if (res.headersSent) return req.socket.destroy();
        res.set({ Connection: 'close' });
        sendApiError(
          res,
          new ApiError(
            408,
            'body_timeout',
            `no body bytes arrived for ${seconds} s; send the body promptly`,
            [{ path: '(body)', message: `idle for more than ${seconds} s` }],
          ),
        );
      },
      Math.max(10, Math.floor(idleMs / 2)),
    );
    check.unref();
    req.on('end', () => clearInterval(check));
    req.on('close', () => clearInterval(check));
    next();
  };
}
