import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import {
  advanceTensorboardFile,
  markTensorboardPending,
  tensorboardFilePosition,
  type Database,
  type IngestLimits,
  type Logger,
  type PushInput,
} from '@aihub/core';
import type { IngestService } from '../ingest/ingest-service';
import { decodeTfEvent } from './tf-event';
import { scanTfRecords } from './tfrecord';
import { metricKeyForTag, SPLIT_DIRS } from './tag-mapping';

export interface TailerOptions {
  db: Database;
  ingest: IngestService;
  logger: Logger;
  logdir: string;
  pollIntervalMs: number;
  limits: IngestLimits;
  now?: () => number;
}

export interface TailerStats {
  files: number;
  records: number;
  corruptRecords: number;
  /** Scalars not stored (timestamps too far in the future, or a chunk the ingest refused). */
  skippedScalars: number;
}

interface FileState {
  offset: number;
  pendingEnd: number | null;
}

type TrainingItem = NonNullable<PushInput['training']>[number];

const CHUNK_BYTES = 4 * 1024 * 1024;
const CHUNK_RECORDS = 5_000;

/**
 * Tails every `*tfevents*` file under TENSORBOARD_LOGDIR (new and growing files, polled):
 * TFRecord framing with checksums, Event/Summary scalars → training items through the ingest
 * path. Offsets live in tensorboard_files; each chunk carries an idempotency key naming its
 * byte range, and the range is recorded before the chunk is sent, so a restart at any point
 * stores nothing twice.
 */
export class TensorboardTailer {
  private readonly states = new Map<string, FileState>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  readonly stats: TailerStats = { files: 0, records: 0, corruptRecords: 0, skippedScalars: 0 };

  constructor(private readonly o: TailerOptions) {}

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.pollOnce()
        .catch((err) => this.o.logger.warn('tensorboard poll failed', { err }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.o.pollIntervalMs);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass over the log directory. */
  async pollOnce(): Promise<void> {
    let entries: string[];
    try {
      entries = (await fs.promises.readdir(this.o.logdir, { recursive: true })) as string[];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // not created yet
      throw err;
    }
    const files = entries.filter((f) => path.basename(f).includes('tfevents')).sort();
    this.stats.files = files.length;
    for (const rel of files) {
      if (this.stopped) return;
      try {
        await this.tailFile(rel.split(path.sep).join('/'));
      } catch (err) {
        this.o.logger.warn('could not read tensorboard file', { file: rel, err });
      }
    }
  }

  private async state(rel: string): Promise<FileState> {
    let s = this.states.get(rel);
    if (s) return s;
    s = await tensorboardFilePosition(this.o.db, rel);
    this.states.set(rel, s);
    return s;
  }

  private async tailFile(rel: string): Promise<void> {
    const full = path.join(this.o.logdir, rel);
    const handle = await fs.promises.open(full, 'r');
    try {
      for (;;) {
        const s = await this.state(rel);
        const { size } = await handle.stat();
        if (size < s.offset) {
          this.o.logger.warn('tensorboard file shrank; reading it again from the start', { file: rel });
          await this.saveOffset(rel, s, 0, 0, 0);
          continue;
        }
        const until = s.pendingEnd ?? Math.min(size, s.offset + CHUNK_BYTES);
        if (until <= s.offset) return;
        const buf = Buffer.alloc(until - s.offset);
        const { bytesRead } = await handle.read(buf, 0, buf.length, s.offset);
        const scan = scanTfRecords(buf.subarray(0, bytesRead), s.offset, CHUNK_RECORDS);
        if (scan.consumed === 0) return; // a half-written record: wait for more bytes
        const end = s.offset + scan.consumed;
        let corrupt = scan.corrupt.length;
        for (const c of scan.corrupt)
          this.o.logger.warn('corrupt TFRecord skipped', { file: rel, offset: c.offset, reason: c.reason });
        const items: TrainingItem[] = [];
        for (const r of scan.records) {
          try {
            items.push(...this.toItems(rel, decodeTfEvent(r.data)));
          } catch (err) {
            corrupt++;
            this.o.logger.warn('TFRecord is not a TensorBoard Event; skipped', {
              file: rel,
              offset: r.offset,
              err: (err as Error).message,
            });
          }
        }
        if (items.length > 0) await this.send(rel, s, end, items);
        await this.saveOffset(rel, s, end, scan.records.length, corrupt);
        if (end >= size) return;
      }
    } finally {
      await handle.close();
    }
  }

  private async send(rel: string, s: FileState, end: number, items: TrainingItem[]): Promise<void> {
    if (s.pendingEnd !== end) {
      await markTensorboardPending(this.o.db, rel, end);
      s.pendingEnd = end;
    }
    const fileKey = crypto.createHash('sha256').update(rel).digest('hex').slice(0, 24);
    const merged = mergeBySteps(items);
    try {
      for (let i = 0; i < merged.length; i += this.o.limits.maxItems) {
        const part = merged.slice(i, i + this.o.limits.maxItems);
        await this.o.ingest.ingest(
          { training: part },
          { idempotencyKey: `tb:${fileKey}:${s.offset}-${end}:${i}`, source: 'tensorboard' },
        );
      }
    } catch (err) {
      const status = (err as { status?: number }).status;
      if (status !== 400) throw err; // storage trouble: retry this range on the next poll
      // Refused as invalid: retrying cannot help. Skip the range, say so.
      this.stats.skippedScalars += items.reduce((n, it) => n + Object.keys(it.metrics).length, 0);
      this.o.logger.warn('tensorboard scalars refused by validation; skipped', {
        file: rel,
        offset: s.offset,
        err: (err as Error).message,
      });
    }
  }

  private async saveOffset(
    rel: string,
    s: FileState,
    offset: number,
    records: number,
    corrupt: number,
  ): Promise<void> {
    await advanceTensorboardFile(this.o.db, rel, offset, records, corrupt);
    s.offset = offset;
    s.pendingEnd = null;
    this.stats.records += records;
    this.stats.corruptRecords += corrupt;
  }

  /** One event → training items: run_id is the file's directory (split subdirectories fold into their run). */
  private toItems(rel: string, e: ReturnType<typeof decodeTfEvent>): TrainingItem[] {
    if (e.scalars.length === 0) return [];
    const dirs = path.posix
      .dirname(rel)
      .split('/')
      .filter((d) => d && d !== '.');
    const split = dirs.length > 1 ? SPLIT_DIRS[dirs[dirs.length - 1].toLowerCase()] : undefined;
    if (split) dirs.pop();
    const runId = dirs.join('/') || path.basename(path.resolve(this.o.logdir));
    const now = (this.o.now ?? Date.now)();
    const ts = e.wallTimeMs > 0 ? e.wallTimeMs : now;
    if (ts > now + this.o.limits.maxFutureMs - 1000) {
      this.stats.skippedScalars += e.scalars.length;
      return [];
    }
    const metrics: Record<string, number> = {};
    let epoch: number | undefined;
    for (const s of e.scalars) {
      const key = metricKeyForTag(s.tag, split);
      if (key === 'epoch') epoch = s.value >= 0 ? s.value : undefined;
      else metrics[key] = s.value;
    }
    const step = Number.isSafeInteger(e.step) && e.step >= 0 ? e.step : undefined;
    return [
      {
        run_id: runId,
        ts,
        ...(step !== undefined ? { step } : {}),
        ...(epoch !== undefined ? { epoch } : {}),
        metrics,
      },
    ];
  }
}

/** TF2 writes one scalar per event: fold consecutive events of one run and step into one item. */
function mergeBySteps(items: TrainingItem[]): TrainingItem[] {
  const out: TrainingItem[] = [];
  for (const it of items) {
    const last = out[out.length - 1];
    if (last && last.run_id === it.run_id && last.step === it.step && it.step !== undefined) {
      last.metrics = { ...last.metrics, ...it.metrics };
      last.ts = Math.max(Number(last.ts), Number(it.ts));
      if (it.epoch !== undefined) last.epoch = it.epoch;
    } else {
      out.push({ ...it, metrics: { ...it.metrics } });
    }
  }
  return out;
}
