import type { IncomingMessage } from 'http';
import type { Duplex } from 'stream';
import { Router } from 'express';
import { WebSocketServer } from 'ws';
import { bearerToken, tokenMatches } from '@aihub/core';
import type { CollectorContext, CollectorFeature } from '../collector';
import { ApiError } from '../http/errors';
import { streamRequestAllowed } from './stream-auth';
import type { StreamConfig } from './stream-config';
import { parseLastEventId, parseRunIds } from './stream-params';
import { SseSession } from './sse-session';
import { TrainingHub } from './training-hub';
import { WsSession } from './ws-session';

export const WS_PATH = '/v1/ws';

/**
 * Live training streams: SSE `GET /v1/stream/training`, WebSocket `/v1/ws`, and
 * `POST /v1/stream/token` for clients that cannot send an Authorization header.
 */
export function streamFeature(config: StreamConfig): CollectorFeature & { hub(): TrainingHub } {
  let hub: TrainingHub | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  let wss: WebSocketServer | undefined;
  let ctxRef: CollectorContext | undefined;
  const sse = new Set<SseSession>();
  const sockets = new Set<WsSession>();
  const getHub = () => {
    if (!hub) throw new ApiError(503, 'starting', 'the stream hub is not running yet');
    return hub;
  };

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://collector');
    if (url.pathname !== WS_PATH) {
      if (ctxRef!.server.listenerCount('upgrade') === 1) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      }
      return;
    }
    if (!hub || !wss) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    if (!streamRequestAllowed(req, ctxRef!.config.tokens, ctxRef!.signedTokens, url)) {
      const body = JSON.stringify({
        error: { code: 'unauthorized', message: 'missing or invalid bearer token', details: [] },
      });
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    const h = hub;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session: WsSession = new WsSession({
        hub: h,
        ws,
        clientBufferBytes: config.clientBufferBytes,
        replayLimit: config.replayLimit,
        onClose: () => sockets.delete(session),
      });
      sockets.add(session);
    });
  }

  return {
    name: 'streams',
    hub: getHub,
    router(ctx) {
      const router = Router();
      router.post('/v1/stream/token', (req, res) => {
        // A signed token must not mint its successor: only real bearer tokens (or loopback without tokens).
        if (
          ctx.config.tokens.length > 0 &&
          !tokenMatches(ctx.config.tokens, bearerToken(req.headers.authorization))
        ) {
          throw new ApiError(401, 'unauthorized', 'a bearer token is required to issue stream tokens');
        }
        const { token, expiresAt } = ctx.signedTokens.issue('stream', config.tokenTtlMs);
        res.json({
          token,
          expires_at: new Date(expiresAt).toISOString(),
          ttl_seconds: Math.round(config.tokenTtlMs / 1000),
        });
      });
      router.get('/v1/stream/training', async (req, res) => {
        const runIds = parseRunIds(req.query.run_id);
        const lastEventId = parseLastEventId(req);
        const session: SseSession = new SseSession({
          hub: getHub(),
          res,
          runIds,
          lastEventId,
          clientBufferBytes: config.clientBufferBytes,
          replayLimit: config.replayLimit,
          onClose: (s) => sse.delete(s),
        });
        sse.add(session);
        await session.start();
      });
      return router;
    },
    async start(ctx) {
      ctxRef = ctx;
      hub = new TrainingHub({ db: ctx.db, logger: ctx.logger, staleAfterMs: config.staleAfterMs });
      await hub.start();
      ctx.telemetry.meter
        .createObservableGauge('aihub.stream.clients', {
          description: 'Connected live-stream clients by transport',
        })
        .addCallback((r) => {
          r.observe(sse.size, { transport: 'sse' });
          r.observe(sockets.size, { transport: 'websocket' });
        });
      wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
      ctx.server.on('upgrade', onUpgrade);
      heartbeat = setInterval(() => {
        for (const s of sse) s.heartbeat();
        for (const w of sockets) w.heartbeat();
      }, config.heartbeatMs);
      heartbeat.unref();
    },
    async stop() {
      if (heartbeat) clearInterval(heartbeat);
      ctxRef?.server.off('upgrade', onUpgrade);
      for (const s of [...sse])
        s.finish('shutdown', 'the collector is shutting down; reconnect with Last-Event-ID');
      for (const w of [...sockets]) w.finish(1001, 'shutdown', 'the collector is shutting down');
      wss?.close();
      await hub?.stop();
      hub = undefined;
    },
  };
}
