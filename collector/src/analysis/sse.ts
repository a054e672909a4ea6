/**
 * A minimal Server-Sent-Events writer: named events with JSON data, comment heartbeats so
 * proxies keep the connection open, and `closed` once the client has gone away.
 */
import type { Request, Response } from 'express';

export interface SseChannel {
  send(event: string, data: unknown): void;
  end(): void;
  readonly closed: boolean;
  /** Aborted when the client disconnects before the response ends. */
  readonly signal: AbortSignal;
}

export function openSse(req: Request, res: Response, heartbeatMs = 15_000): SseChannel {
  const controller = new AbortController();
  let closed = false;
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache, no-transform');
  res.setHeader('connection', 'keep-alive');
  res.setHeader('x-accel-buffering', 'no'); // nginx: do not buffer the stream
  res.flushHeaders();
  const heartbeat = setInterval(() => !closed && res.write(': heartbeat\n\n'), heartbeatMs);
  heartbeat.unref();
  const onClose = () => {
    clearInterval(heartbeat);
    if (!closed) {
      closed = true;
      controller.abort();
    }
  };
  res.on('close', onClose);
  req.on('aborted', onClose);
  return {
    send(event, data) {
      if (closed) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    end() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      res.end();
    },
    get closed() {
      return closed;
    },
    signal: controller.signal,
  };
}
