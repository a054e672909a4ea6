import { envInt, envString, parseDuration, type Env } from '@aihub/core';

/** Settings of the live training streams (SSE and WebSocket); .env.example lists them. */
export interface StreamConfig {
  /** SSE heartbeat comment and WebSocket ping interval. */
  heartbeatMs: number;
  /** Bytes a client may have waiting unsent before it is cut off as too slow. */
  clientBufferBytes: number;
  /** Lifetime of the query-string tokens issued by POST /v1/stream/token. */
  tokenTtlMs: number;
  /** Events a reconnecting client gets replayed at most (Last-Event-ID). */
  replayLimit: number;
  /** A running run silent this long is reported as stale. */
  staleAfterMs: number;
}

export function loadStreamConfig(env: Env = process.env): StreamConfig {
  return {
    heartbeatMs: parseDuration(envString(env, 'STREAM_HEARTBEAT') ?? '15s'),
    clientBufferBytes: envInt(env, 'STREAM_CLIENT_BUFFER_BYTES', 1024 * 1024, 1024),
    tokenTtlMs: parseDuration(envString(env, 'STREAM_TOKEN_TTL') ?? '10m'),
    replayLimit: envInt(env, 'STREAM_REPLAY_LIMIT', 10_000, 1),
    staleAfterMs: parseDuration(envString(env, 'TRAINING_STALE_AFTER') ?? '15m'),
  };
}
