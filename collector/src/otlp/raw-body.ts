import zlib from 'zlib';
import type { Request } from 'express';
import { ApiError } from '../http/errors';

/** Reads a binary request body (optionally gzip) up to maxBytes after decompression. */
export function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return Promise.reject(
      new ApiError(415, 'unsupported_encoding', 'Content-Encoding must be gzip or identity', [
        { path: 'Content-Encoding', message: `got "${encoding}"` },
      ]),
    );
  }
  const tooLarge = () =>
    new ApiError(413, 'body_too_large', `the body exceeds ${maxBytes} bytes`, [
      { path: '(body)', message: `limit is ${maxBytes} bytes after decompression` },
    ]);
  const source: NodeJS.ReadableStream = encoding === 'gzip' ? req.pipe(zlib.createGunzip()) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let done = false;
    const fail = (err: ApiError) => {
      if (done) return;
      done = true;
      req.unpipe();
      req.resume();
      reject(err);
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return fail(tooLarge());
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
    req.on('aborted', () => fail(new ApiError(400, 'aborted', 'the client aborted the request')));
  });
}
