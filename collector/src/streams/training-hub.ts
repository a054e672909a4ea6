import {
  bestValAccuracyBefore,
  maxTrainingEventId,
  staleTrainingRuns,
  TRAINING_CHANNEL,
  trainingEventsAfter,
  trainingEventsBetween,
  trainingRunStreamInfo,
  type Database,
  type Logger,
  type TrainingEvent,
} from '@aihub/core';

/** Something that happened to a run besides the plain metrics update, for WebSocket clients. */
export type RunSignal =
  | { kind: 'run_started'; runId: string; event: TrainingEvent }
  | {
      kind: 'epoch_completed';
      runId: string;
      event: TrainingEvent;
      modelState: string;
      checkpointSaved: boolean;
      bestAccuracy: number | null;
    }
  | { kind: 'checkpoint_saved'; runId: string; event: TrainingEvent }
  | { kind: 'run_stale'; runId: string; lastSeenMs: number };

export interface HubListener {
  /** Called synchronously for each new committed event, in id order. Must not block. */
  onEvent(event: TrainingEvent, signals: RunSignal[]): void;
  onStale?(signal: Extract<RunSignal, { kind: 'run_stale' }>): void;
}

export interface TrainingHubOptions {
  db: Database;
  logger: Logger;
  staleAfterMs: number;
  /** How often to look for stale runs and for events whose notification was lost. */
  sweepIntervalMs?: number;
  now?: () => number;
}

const DELIVERED_MEMORY = 100_000;
const FETCH_LIMIT = 5_000;

/**
 * Turns committed training events into live fan-out. The writer NOTIFYs after each commit
 * with the id range it inserted; every replica LISTENs, reads that range from storage and
 * hands each event to its own clients. Storage is the source of truth, so a client of any
 * replica sees pushes to every replica, and a reconnecting client can replay by id.
 */
export class TrainingHub {
  private readonly listeners = new Set<HubListener>();
  private unlisten?: () => Promise<void>;
  private chain: Promise<void> = Promise.resolve();
  private readonly delivered = new Set<number>();
  private maxDelivered = 0;
  private readonly bestAccuracy = new Map<string, number | null>();
  private readonly staleAnnounced = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: TrainingHubOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    this.maxDelivered = await maxTrainingEventId(this.opts.db);
    // Runs already stale at start are not news.
    for (const r of await this.staleRuns()) this.staleAnnounced.set(r.runId, r.lastSeenMs);
    this.unlisten = await this.opts.db.listen(TRAINING_CHANNEL, (payload) => this.onNotify(payload));
    const sweep = this.opts.sweepIntervalMs ?? Math.min(5_000, Math.max(100, this.opts.staleAfterMs / 4));
    this.timer = setInterval(() => this.enqueue(() => this.sweep()), sweep);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => undefined);
    await this.chain;
    this.listeners.clear();
  }

  subscribe(listener: HubListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get clientCount(): number {
    return this.listeners.size;
  }

  /** Stored events after `afterId` (exclusive), oldest first; runIds null means every run. */
  async replay(runIds: string[] | null, afterId: number, limit: number): Promise<TrainingEvent[]> {
    return trainingEventsAfter(this.opts.db, afterId, runIds, limit);
  }

  private onNotify(payload: string): void {
    let range: { runs?: string[]; from: number; to: number };
    try {
      range = JSON.parse(payload);
    } catch {
      this.opts.logger.warn('ignoring a malformed training notification', { payload: payload.slice(0, 200) });
      return;
    }
    if (!Number.isFinite(range.from) || !Number.isFinite(range.to)) return;
    this.enqueue(() => this.fetchRange(range.from, range.to));
  }

  /** Work runs one at a time so events reach listeners in order. */
  private enqueue(work: () => Promise<void>): void {
    if (this.stopped) return;
    this.chain = this.chain
      .then(work)
      .catch((err) => this.opts.logger.warn('training stream update failed', { err }));
  }

  private async fetchRange(from: number, to: number): Promise<void> {
    for (let start = from; start <= to; start += FETCH_LIMIT) {
      await this.dispatch(
        await trainingEventsBetween(this.opts.db, start, Math.min(to, start + FETCH_LIMIT - 1)),
      );
    }
  }

  /** Catches events whose notification never arrived (e.g. a dropped LISTEN connection) and stale runs. */
  private async sweep(): Promise<void> {
    await this.dispatch(await trainingEventsAfter(this.opts.db, this.maxDelivered, null, FETCH_LIMIT));
    for (const r of await this.staleRuns()) {
      if (this.staleAnnounced.get(r.runId) === r.lastSeenMs) continue;
      this.staleAnnounced.set(r.runId, r.lastSeenMs);
      const signal = { kind: 'run_stale' as const, runId: r.runId, lastSeenMs: r.lastSeenMs };
      for (const l of this.listeners) l.onStale?.(signal);
    }
  }

  private async staleRuns(): Promise<{ runId: string; lastSeenMs: number }[]> {
    return staleTrainingRuns(this.opts.db, this.now() - this.opts.staleAfterMs);
  }

  private async dispatch(all: TrainingEvent[]): Promise<void> {
    const events = all.filter((e) => !this.delivered.has(e.id));
    if (events.length === 0) return;
    const runIds = [...new Set(events.map((e) => e.runId))];
    const info = await trainingRunStreamInfo(this.opts.db, runIds);
    const firstId = new Map(info.map((r) => [r.runId, r.firstId]));
    const status = new Map(info.map((r) => [r.runId, r.status]));
    for (const runId of runIds) {
      if (!this.bestAccuracy.has(runId)) {
        const minId = Math.min(...events.filter((e) => e.runId === runId).map((e) => e.id));
        this.bestAccuracy.set(runId, await bestValAccuracyBefore(this.opts.db, runId, minId));
      }
    }
    for (const e of events) {
      this.remember(e.id);
      this.staleAnnounced.delete(e.runId);
      const signals = this.signalsFor(e, firstId.get(e.runId) === e.id, status.get(e.runId) ?? 'running');
      for (const l of this.listeners) {
        try {
          l.onEvent(e, signals);
        } catch (err) {
          this.opts.logger.warn('a stream listener failed', { err });
        }
      }
    }
    if (this.bestAccuracy.size > 10_000) this.bestAccuracy.clear();
  }

  private signalsFor(e: TrainingEvent, first: boolean, runStatus: string): RunSignal[] {
    const out: RunSignal[] = [];
    if (first) out.push({ kind: 'run_started', runId: e.runId, event: e });
    const checkpoint = (e.metrics.checkpoint_saved ?? 0) > 0;
    const va = e.metrics.val_accuracy;
    if (typeof va === 'number') {
      const prev = this.bestAccuracy.get(e.runId);
      this.bestAccuracy.set(e.runId, prev === null || prev === undefined ? va : Math.max(prev, va));
    }
    // Validation metrics are computed at the end of an epoch: their arrival marks it complete.
    if (Object.keys(e.metrics).some((k) => k.startsWith('val_'))) {
      out.push({
        kind: 'epoch_completed',
        runId: e.runId,
        event: e,
        modelState: runStatus === 'running' ? 'training' : runStatus,
        checkpointSaved: checkpoint,
        bestAccuracy: this.bestAccuracy.get(e.runId) ?? null,
      });
    }
    if (checkpoint) out.push({ kind: 'checkpoint_saved', runId: e.runId, event: e });
    return out;
  }

  private remember(id: number): void {
    this.delivered.add(id);
    if (id > this.maxDelivered) this.maxDelivered = id;
    if (this.delivered.size > DELIVERED_MEMORY) {
      // Sets iterate in insertion order: drop the oldest.
      const drop = this.delivered.size - DELIVERED_MEMORY;
      let i = 0;
      for (const old of this.delivered) {
        if (i++ >= drop) break;
        this.delivered.delete(old);
      }
    }
  }
}
