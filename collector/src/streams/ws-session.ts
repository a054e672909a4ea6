import { WebSocket, type RawData } from 'ws';
import { z } from 'zod';
import { findUnsafeJson, toFieldErrors } from '@aihub/core';
import type { HubListener, RunSignal, TrainingHub } from './training-hub';
import { metricsUpdateData, wsMessage, type TrainingEvent } from './training-event';

const runList = z.array(z.string().min(1).max(1024)).max(100);
const clientMessage = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('subscribe'),
    run_id: z.string().min(1).max(1024).optional(),
    run_ids: runList.optional(),
    /** Replays stored events after this id for the runs subscribed (like SSE Last-Event-ID). */
    last_event_id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  z.strictObject({
    action: z.literal('unsubscribe'),
    run_id: z.string().optional(),
    run_ids: runList.optional(),
  }),
  z.strictObject({ action: z.literal('ping') }),
]);

export interface WsSessionOptions {
  hub: TrainingHub;
  ws: WebSocket;
  clientBufferBytes: number;
  replayLimit: number;
  onClose: () => void;
}

const ALL = '*';

/**
 * One WebSocket client: `{"action":"subscribe","run_id":"r1"}` (or run_ids, or "*" for every
 * run), `unsubscribe`, `ping` → `pong`. Pushes `training_event` messages for subscribed runs.
 */
export class WsSession {
  private readonly runs = new Set<string>();
  private alive = true;
  private closed = false;
  private pending: { e: TrainingEvent; s: RunSignal[] }[] | null = null;
  private readonly unsubscribe: () => void;

  constructor(private readonly o: WsSessionOptions) {
    const listener: HubListener = {
      onEvent: (e, s) => this.onEvent(e, s),
      onStale: (s) => {
        if (this.follows(s.runId)) {
          this.send(
            wsMessage('run_stale', s.runId, {
              run_id: s.runId,
              last_seen: new Date(s.lastSeenMs).toISOString(),
            }),
          );
        }
      },
    };
    this.unsubscribe = o.hub.subscribe(listener);
    o.ws.on('pong', () => (this.alive = true));
    o.ws.on('message', (data, isBinary) => void this.onMessage(data, isBinary));
    o.ws.on('close', () => this.close());
    o.ws.on('error', () => this.close());
  }

  /** Called every heartbeat: a client that did not answer the last ping is gone. */
  heartbeat(): void {
    if (this.closed) return;
    if (!this.alive) {
      this.o.ws.terminate();
      return;
    }
    this.alive = false;
    this.o.ws.ping();
  }

  finish(code: number, reason: string, message: string): void {
    if (this.closed) return;
    this.send({ message_type: 'error', error: { code: reason, message } }, true);
    this.o.ws.close(code, reason);
    setTimeout(() => this.o.ws.terminate(), 30_000).unref();
    this.close();
  }

  private follows(runId: string): boolean {
    return this.runs.has(ALL) || this.runs.has(runId);
  }

  private async onMessage(data: RawData, isBinary: boolean): Promise<void> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(isBinary ? '' : data.toString());
    } catch {
      return this.error('malformed_json', 'messages must be JSON objects', []);
    }
    // NUL or lone surrogates in a run id would reach the replay query: refuse them by path.
    const unsafe = findUnsafeJson(parsed);
    if (unsafe.length) return this.error('invalid_message', 'the message holds unusable text', unsafe);
    const msg = clientMessage.safeParse(parsed);
    if (!msg.success)
      return this.error('invalid_message', 'unknown or malformed message', toFieldErrors(msg.error));
    const m = msg.data;
    if (m.action === 'ping') {
      this.send({ message_type: 'pong', timestamp: new Date().toISOString() });
      return;
    }
    const ids = [...(m.run_ids ?? []), ...(m.run_id ? [m.run_id] : [])];
    if (ids.length === 0)
      return this.error('invalid_message', 'give run_id or run_ids', [
        { path: 'run_id', message: 'required' },
      ]);
    if (m.action === 'unsubscribe') {
      ids.forEach((id) => this.runs.delete(id));
      this.send({ message_type: 'unsubscribed', run_ids: ids });
      return;
    }
    ids.forEach((id) => this.runs.add(id));
    this.send({ message_type: 'subscribed', run_ids: ids });
    if (m.last_event_id !== undefined) await this.replay(ids, m.last_event_id);
  }

  private async replay(ids: string[], afterId: number): Promise<void> {
    const wasPending = this.pending !== null;
    this.pending ??= [];
    let replayed = new Set<number>();
    try {
      const missed = await this.o.hub.replay(ids.includes(ALL) ? null : ids, afterId, this.o.replayLimit);
      replayed = new Set(missed.map((e) => e.id));
      for (const e of missed) this.sendEvent(e, []);
    } catch (err) {
      this.error('storage_unavailable', `could not replay missed events: ${(err as Error).message}`, []);
    }
    if (wasPending) return; // the outer replay drains
    const live = this.pending ?? [];
    this.pending = null;
    for (const p of live) if (!replayed.has(p.e.id)) this.sendEvent(p.e, p.s);
  }

  private onEvent(e: TrainingEvent, signals: RunSignal[]): void {
    if (!this.follows(e.runId)) return;
    if (this.pending) this.pending.push({ e, s: signals });
    else this.sendEvent(e, signals);
  }

  private sendEvent(e: TrainingEvent, signals: RunSignal[]): void {
    for (const s of signals) {
      if (s.kind === 'run_started') {
        this.send(
          wsMessage(
            'run_started',
            e.runId,
            { run_id: e.runId, model_info: e.modelInfo, epoch: e.epoch, step: e.step },
            e.id,
            e.timeMs,
          ),
        );
      }
    }
    this.send(wsMessage('metrics_update', e.runId, metricsUpdateData(e), e.id, e.timeMs));
    for (const s of signals) {
      if (s.kind === 'epoch_completed') {
        this.send(
          wsMessage(
            'epoch_completed',
            e.runId,
            {
              epoch: e.epoch,
              metrics: e.metrics,
              model_state: s.modelState,
              checkpoint_saved: s.checkpointSaved,
              best_accuracy: s.bestAccuracy,
            },
            e.id,
            e.timeMs,
          ),
        );
      } else if (s.kind === 'checkpoint_saved') {
        this.send(
          wsMessage(
            'checkpoint_saved',
            e.runId,
            { epoch: e.epoch, step: e.step, metrics: e.metrics },
            e.id,
            e.timeMs,
          ),
        );
      }
    }
  }

  private error(code: string, message: string, details: { path: string; message: string }[]): void {
    this.send({ message_type: 'error', error: { code, message, details } });
  }

  private send(msg: object, final = false): void {
    if (this.closed || this.o.ws.readyState !== WebSocket.OPEN) return;
    this.o.ws.send(JSON.stringify(msg));
    if (!final && this.o.ws.bufferedAmount > this.o.clientBufferBytes) {
      this.finish(
        1013,
        'slow_consumer',
        `the client fell more than ${this.o.clientBufferBytes} bytes behind; reconnect and resubscribe with last_event_id`,
      );
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.o.onClose();
  }
}
