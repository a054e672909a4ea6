import zlib from 'zlib';
import type { IncomingMessage } from 'http';
import { jsonMayBeUnsafe, unsafeBodyError } from '@aihub/core';
import { ApiError } from './errors';
import { overloadedError, type BodyLease } from './body-budget';

/**
 * Reads a JSON request body (optionally gzip) up to maxBytes after decompression, so a gzip
 * bomb is cut off as soon as it grows past the limit. Returns the parsed value; a NUL or a
 * lone surrogate anywhere in it, or a reserved key (__proto__, …), is a 400 naming its path.
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
  lease?: BodyLease,
): Promise<unknown> {
  return parseJsonBody(await readJsonBytes(req, maxBytes, lease));
}

/** The bytes of a JSON request body (Content-Type checked first), not parsed yet. */
export async function readJsonBytes(
  req: IncomingMessage,
  maxBytes: number,
  lease?: BodyLease,
): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json', [
      { path: 'Content-Type', message: `got "${type || '(none)'}"` },
    ]);
  }
  return readBody(req, maxBytes, { lease });
}

/** Parses JSON body bytes: 400 for an empty body, malformed JSON or unsafe text and keys. */
export function parseJsonBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text.trim() === '')
    throw new ApiError(400, 'empty_body', 'the request body is empty', [
      { path: '(body)', message: 'empty' },
    ]);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'malformed_json', 'the body is not valid JSON', [
      { path: '(body)', message: (err as Error).message },
    ]);
  }
  const unsafe = jsonMayBeUnsafe(text) ? unsafeBodyError(value) : null;
  if (unsafe) throw unsafe;
  return value;
}

/**
 * Reads a request body (optionally gzip) up to maxBytes after decompression. With a lease,
 * every byte is claimed from the shared budget first (429 when it is spent). With
 * `decode: false` the bytes are returned as sent and Content-Encoding is the caller's business
 * (remote write's snappy).
 */
export async function readBody(
  req: IncomingMessage,
  maxBytes: number,
  opts: { decode?: boolean; lease?: BodyLease } = {},
): Promise<Buffer> {
  const { lease } = opts;
  const decode = opts.decode ?? true;
  const encoding = decode ? (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase() : 'identity';
  if (encoding !== 'identity' && encoding !== 'gzip') {
    throw new ApiError(415, 'unsupported_encoding', 'Content-Encoding must be gzip or identity', [
      { path: 'Content-Encoding', message: `got "${encoding}"` },
    ]);
  }
  const declared = Number(req.headers['content-length']);
  const tooLarge = () =>
    new ApiError(413, 'body_too_large', `the body exceeds ${maxBytes} bytes`, [
      { path: '(body)', message: `limit is ${maxBytes} bytes after decompression` },
    ]);
  if (encoding === 'identity' && Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge();
  }
  const source: NodeJS.ReadableStream = encoding === 'gzip' ? req.pipe(zlib.createGunzip()) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let done = false;
    const fail = (err: ApiError) => {
      if (done) return;
      done = true;
      req.unpipe();
      req.resume(); // drain so the client gets our answer
      reject(err);
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(tooLarge());
      if (lease && !lease.take(chunk.length)) return fail(overloadedError());
      chunks.push(chunk);
    });
    source.on('error', (err: Error) =>
      fail(
        new ApiError(400, 'bad_encoding', 'the body could not be decompressed', [
          { path: '(body)', message: err.message },
        ]),
      ),
    );
    source.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    // A client that disconnects mid-body must settle this promise too, or the push's
    // in-flight slot would never be released.
    const aborted = () => fail(new ApiError(400, 'aborted', 'the client aborted the request'));
    req.on('aborted', aborted);
    req.on('error', aborted);
    req.on('close', () => {
      if (!req.complete) aborted();
    });
  });
}
