import type { Response } from 'express';
import type { HubListener, TrainingHub } from './training-hub';
import { sseMessage, type TrainingEvent } from './training-event';

export interface SseSessionOptions {
  hub: TrainingHub;
  res: Response;
  runIds: string[] | null;
  lastEventId?: number;
  clientBufferBytes: number;
  replayLimit: number;
  onClose: (session: SseSession) => void;
}

/**
 * One EventSource client: replays what it missed, then follows the hub. Writes never wait:
 * what the socket cannot take yet waits in the response buffer, and a client whose buffer
 * grows past the limit is closed with a final `stream_closed` event instead of holding up
 * anyone else.
 */
export class SseSession {
  private readonly runs: Set<string> | null;
  private lastId = 0;
  private closed = false;
  /** Live events that arrive while the replay is read. */
  private pending: TrainingEvent[] | null = [];
  private unsubscribe?: () => void;

  constructor(private readonly o: SseSessionOptions) {
    this.runs = o.runIds ? new Set(o.runIds) : null;
  }

  async start(): Promise<void> {
    const { res } = this.o;
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    res.on('close', () => this.close());
    this.write('retry: 3000\n: connected\n\n');
    const listener: HubListener = { onEvent: (e) => this.onLive(e) };
    this.unsubscribe = this.o.hub.subscribe(listener);
    let replayed = new Set<number>();
    if (this.o.lastEventId !== undefined) {
      this.lastId = this.o.lastEventId;
      try {
        const missed = await this.o.hub.replay(this.o.runIds, this.o.lastEventId, this.o.replayLimit);
        replayed = new Set(missed.map((e) => e.id));
        for (const e of missed) {
          this.send(e);
          // A replay is one big burst: pace it by the socket instead of counting it as falling behind.
          if (this.o.res.writableLength > this.o.clientBufferBytes / 2) await this.drained();
          if (this.closed) return;
        }
        if (missed.length === this.o.replayLimit) {
          this.finish(
            'replay_limit',
            `more than ${this.o.replayLimit} events were missed; resume from the last id received`,
          );
          return;
        }
      } catch (err) {
        this.finish('storage_unavailable', `could not replay missed events: ${(err as Error).message}`);
        return;
      }
    }
    const live = this.pending ?? [];
    this.pending = null;
    // The hub delivers each event once; only the overlap with the replay needs skipping.
    for (const e of live) if (!replayed.has(e.id)) this.send(e);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.o.res.off('drain', done);
        this.o.res.off('close', done);
        resolve();
      };
      this.o.res.on('drain', done);
      this.o.res.on('close', done);
    });
  }

  heartbeat(): void {
    this.write(': heartbeat\n\n');
  }

  /** Ends the stream with a final event saying why (slow consumer, shutdown, …). */
  finish(reason: string, message: string): void {
    if (this.closed) return;
    const body = JSON.stringify({ reason, message, last_event_id: this.lastId || null });
    this.o.res.end(`event: stream_closed\ndata: ${body}\n\n`);
    // A client that never reads would keep the socket (and its buffer) forever.
    const socket = this.o.res.socket;
    setTimeout(() => socket?.destroy(), 30_000).unref();
    this.close();
  }

  private onLive(e: TrainingEvent): void {
    if (this.runs && !this.runs.has(e.runId)) return;
    if (!this.pending) return this.send(e);
    this.pending.push(e);
    if (this.pending.length > this.o.replayLimit) {
      this.finish(
        'slow_consumer',
        'the client replays too slowly to keep up with live events; reconnect with Last-Event-ID',
      );
    }
  }

  private send(e: TrainingEvent): void {
    if (this.closed) return;
    this.lastId = Math.max(this.lastId, e.id);
    this.write(`id: ${e.id}\nevent: metrics_update\ndata: ${JSON.stringify(sseMessage(e))}\n\n`);
  }

  private write(chunk: string): void {
    if (this.closed) return;
    this.o.res.write(chunk);
    if (this.o.res.writableLength > this.o.clientBufferBytes) {
      this.finish(
        'slow_consumer',
        `the client fell more than ${this.o.clientBufferBytes} bytes behind; reconnect with Last-Event-ID to resume`,
      );
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.o.onClose(this);
  }
}
