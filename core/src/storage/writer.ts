import type { Queryable } from './database';
import type { WriteConnection } from './postgres-writer-thread';
import type { LlmRow, RowBatch, SampleColumns, TrainingRow } from '../model/rows';
import { rowCount } from '../model/rows';
import { SeriesCache, type ResolvedSeries } from './series-cache';
import { SeriesGuard, SeriesLimitError } from './series-guard';
import { SamplesCopyEncoder } from './copy-binary';
import { notifyCommitted } from './commit-notice';

/** NOTIFY channel carrying `{"runs":[…],"from":id,"to":id}` after training events commit. */
export const TRAINING_CHANNEL = 'aihub_training_events';

export interface WriteRequest {
  batch: RowBatch;
  /** What the 202 answer reports (items in the request). */
  accepted: number;
  idempotencyKey?: string;
}

export interface WriteResult {
  accepted: number;
  /** True when an earlier request with the same Idempotency-Key was already stored. */
  duplicate: boolean;
}

export class QueueFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('write queue full');
  }
}

export interface WriterOptions {
  /** Rows waiting for commit beyond which write() refuses (429). */
  maxQueueRows?: number;
  /** Rows per transaction (a group commit takes whole requests up to about this size). */
  maxBatchRows?: number;
  /** Transactions in flight at once (1 for PGlite's single connection). */
  concurrency?: number;
  /** Called after each commit: rows stored and seconds taken. */
  onFlush?: (rows: number, seconds: number) => void;
  /** A failed transaction is retried this many times before its requests are rejected. */
  retries?: number;
  /** MAX_SERIES: series in storage beyond which new ones are refused (SeriesLimitError). */
  maxSeries?: number;
}

interface Pending extends WriteRequest {
  rows: number;
  resolve: (r: WriteResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: concurrent requests share one transaction, and each is acknowledged only
 * after that transaction commits. A request is all-or-nothing; a retried Idempotency-Key is
 * stored once (the key row commits with the data, so this holds across replicas too).
 */
export class BatchWriter {
  private readonly queue: Pending[] = [];
  private queued = 0;
  private inFlight = 0;
  private inFlightRows = 0;
  private stopped = false;
  private readonly series: SeriesCache;
  private readonly opts: Required<Omit<WriterOptions, 'onFlush' | 'maxSeries'>> &
    Pick<WriterOptions, 'onFlush'>;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly db: Pick<WriteConnection, 'driver' | 'transaction'>,
    options: WriterOptions = {},
  ) {
    this.opts = {
      maxQueueRows: options.maxQueueRows ?? 200_000,
      maxBatchRows: options.maxBatchRows ?? 20_000,
      concurrency: options.concurrency ?? (db.driver === 'pglite' ? 1 : 2),
      retries: options.retries ?? 3,
      onFlush: options.onFlush,
    };
    // The id cache never holds more than the series the guard admits: memory stays bounded.
    const maxSeries = options.maxSeries;
    this.series = maxSeries
      ? new SeriesCache(Math.min(maxSeries + 1, 1_000_000), new SeriesGuard(maxSeries))
      : new SeriesCache();
  }

  get maxQueueRows(): number {
    return this.opts.maxQueueRows;
  }

  /** Rows accepted by write() and not committed yet. */
  get queuedRows(): number {
    return this.queued;
  }

  write(req: WriteRequest): Promise<WriteResult> {
    if (this.stopped) return Promise.reject(new Error('writer is stopped'));
    const rows = rowCount(req.batch);
    // An empty queue always takes one request, however large, so a big batch is never refused forever.
    if (this.queued > 0 && this.queued + rows > this.opts.maxQueueRows) {
      return Promise.reject(new QueueFullError(1));
    }
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ ...req, rows, resolve, reject });
      this.queued += rows;
      this.pump();
    });
  }

  /** Stops taking writes and waits until everything accepted is committed. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.inFlight < this.opts.concurrency && this.queue.length > 0) {
      // A second transaction starts only once half a batch waits: a small transaction costs the
      // server more per row (the rollup trigger runs once per statement), and what waits goes
      // with the next one as soon as the one in flight commits.
      if (this.inFlight > 0 && this.queued - this.inFlightRows < this.opts.maxBatchRows / 2) return;
      const group: Pending[] = [];
      let rows = 0;
      while (
        this.queue.length > 0 &&
        (group.length === 0 || rows + this.queue[0].rows <= this.opts.maxBatchRows)
      ) {
        const next = this.queue.shift()!;
        group.push(next);
        rows += next.rows;
      }
      this.inFlight++;
      this.inFlightRows += rows;
      void this.flush(group).finally(() => {
        this.inFlight--;
        this.inFlightRows -= rows;
        this.queued -= rows;
        this.pump();
        if (this.inFlight === 0 && this.queue.length === 0) {
          for (const w of this.idleWaiters.splice(0)) w();
        }
      });
    }
  }

  private async flush(group: Pending[]): Promise<void> {
    let lastError: unknown;
    for (let attempt = 0; attempt <= this.opts.retries; attempt++) {
      try {
        const started = process.hrtime.bigint();
        const results = await this.commit(group);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        this.opts.onFlush?.(
          group.reduce((n, p) => n + p.rows, 0),
          seconds,
        );
        group.forEach((p, i) => p.resolve(results[i]));
        return;
      } catch (err) {
        lastError = err;
        if (group.length === 1 && err instanceof SeriesLimitError) break; // retrying cannot help
        if (group.length > 1) {
          // Isolate the request that breaks the transaction; the others still commit.
          for (const p of group) await this.flush([p]);
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
      }
    }
    for (const p of group) p.reject(lastError);
  }

  private async commit(group: Pending[]): Promise<WriteResult[]> {
    let created: ResolvedSeries = { ids: new Map(), inserted: 0 };
    const results = await this.db.transaction(async (tx) => {
      const duplicates = await claimIdempotencyKeys(tx, group);
      const fresh = group.filter((_, i) => !duplicates[i]);
      const samples = gatherSamples(fresh, this.series);
      created = await this.series.resolve(tx, samples.keys);
      if (samples.count) {
        const copy = new SamplesCopyEncoder(
          samples.count,
          tx.copyBuffer?.(SamplesCopyEncoder.bytesFor(samples.count)),
        );
        const { keys, timesMs, values } = samples;
        for (let i = 0; i < samples.count; i++) {
          copy.row(timesMs[i], this.series.get(keys[i]) ?? created.ids.get(keys[i])!, values[i]);
        }
        const columns = ['time', 'series_id', 'value'];
        // Last of all on the writer thread: sent with the COMMIT, so the rollup rows its
        // trigger locks are held for the commit alone, not for the statements after it.
        if (tx.copyBinaryAtCommit) tx.copyBinaryAtCommit('metric_samples', columns, copy.finish());
        else await tx.copyBinary('metric_samples', columns, copy.finish());
      }
      await insertLlm(
        tx,
        fresh.flatMap((p) => p.batch.llm),
      );
      await insertTraining(
        tx,
        fresh.flatMap((p) => p.batch.training),
      );
      await notifyCommitted(
        tx,
        samples.names,
        fresh.some((p) => p.batch.llm.length > 0),
      );
      return group.map((p, i) => duplicates[i] ?? { accepted: p.accepted, duplicate: false });
    });
    this.series.remember(created);
    return results;
  }
}

/** The samples of a group's requests in one set of columns, keyed for the series cache. */
function gatherSamples(
  group: Pending[],
  series: SeriesCache,
): Omit<SampleColumns, 'names'> & { names: Set<string> } {
  let count = 0;
  for (const p of group) count += p.batch.samples.length + (p.batch.sampleColumns?.count ?? 0);
  const keys = new Array<string>(count);
  const timesMs = new Float64Array(count);
  const values = new Float64Array(count);
  const names = new Set<string>();
  let n = 0;
  for (const p of group) {
    for (const s of p.batch.samples) {
      keys[n] = series.key(s.name, s.labels);
      timesMs[n] = s.timeMs;
      values[n++] = s.value;
      names.add(s.name);
    }
    const c = p.batch.sampleColumns;
    if (!c) continue;
    for (let i = 0; i < c.count; i++) keys[n + i] = c.keys[i];
    timesMs.set(c.timesMs, n);
    values.set(c.values, n);
    n += c.count;
    for (const name of c.names) names.add(name);
  }
  return { count, keys, timesMs, values, names };
}

/**
 * Inserts the group's idempotency keys; returns, per request, the stored result when its key
 * was already there (a duplicate), else undefined.
 */
async function claimIdempotencyKeys(tx: Queryable, group: Pending[]): Promise<(WriteResult | undefined)[]> {
  const out: (WriteResult | undefined)[] = new Array(group.length).fill(undefined);
  const firstIndex = new Map<string, number>();
  group.forEach((p, i) => {
    if (!p.idempotencyKey) return;
    const first = firstIndex.get(p.idempotencyKey);
    if (first === undefined) firstIndex.set(p.idempotencyKey, i);
    else out[i] = { accepted: group[first].accepted, duplicate: true }; // same key twice in one group
  });
  if (firstIndex.size === 0) return out;
  const keys = [...firstIndex.keys()];
  const inserted = await tx.query<{ key: string }>(
    `INSERT INTO idempotency_keys (key, accepted) SELECT * FROM unnest($1::text[], $2::int[])
     ON CONFLICT (key) DO NOTHING RETURNING key`,
    [keys, keys.map((k) => group[firstIndex.get(k)!].accepted)],
  );
  const fresh = new Set(inserted.map((r) => r.key));
  const taken = keys.filter((k) => !fresh.has(k));
  if (taken.length) {
    const rows = await tx.query<{ key: string; accepted: number }>(
      'SELECT key, accepted FROM idempotency_keys WHERE key = ANY($1::text[])',
      [taken],
    );
    for (const r of rows) out[firstIndex.get(r.key)!] = { accepted: Number(r.accepted), duplicate: true };
  }
  return out;
}

async function insertLlm(tx: Queryable, rows: LlmRow[]): Promise<void> {
  if (!rows.length) return;
  const col = <K extends keyof LlmRow>(k: K) => rows.map((r) => r[k]);
  await tx.query(
    `INSERT INTO llm_requests (time, provider, model, operation, input_tokens, output_tokens, cached_tokens,
       latency_ms, ttft_ms, status, error_type, cache_hit, cost_usd, priced, user_id, session_id,
       organization_id, tags)
     SELECT to_timestamp(t), p, m, o, it, ot, ct, l, f, s, e, h, c, pr, u, se, org, tg
     FROM unnest($1::float8[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::int8[], $7::int8[],
       $8::float8[], $9::float8[], $10::text[], $11::text[], $12::bool[], $13::float8[], $14::bool[],
       $15::text[], $16::text[], $17::text[], $18::jsonb[])
       AS u(t, p, m, o, it, ot, ct, l, f, s, e, h, c, pr, u, se, org, tg)`,
    [
      rows.map((r) => r.timeMs / 1000),
      col('provider'),
      col('model'),
      col('operation'),
      col('inputTokens'),
      col('outputTokens'),
      col('cachedTokens'),
      col('latencyMs'),
      col('ttftMs'),
      col('status'),
      col('errorType'),
      col('cacheHit'),
      col('costUsd'),
      col('priced'),
      col('userId'),
      col('sessionId'),
      col('organizationId'),
      rows.map((r) => JSON.stringify(r.tags)),
    ],
  );
}

async function insertTraining(tx: Queryable, rows: TrainingRow[]): Promise<void> {
  if (!rows.length) return;
  const ids = await tx.query<{ id: string | number }>(
    `INSERT INTO training_events (run_id, time, epoch, step, metrics, model_info)
     SELECT r, to_timestamp(t), e, s, m, mi FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[],
       $5::jsonb[], $6::jsonb[]) AS u(r, t, e, s, m, mi)
     RETURNING id`,
    [
      rows.map((r) => r.runId),
      rows.map((r) => r.timeMs / 1000),
      rows.map((r) => r.epoch),
      rows.map((r) => r.step),
      rows.map((r) => JSON.stringify(r.metrics)),
      rows.map((r) => (r.modelInfo ? JSON.stringify(r.modelInfo) : null)),
    ],
  );
  // One registry row per run: the newest item decides epoch, step and status.
  const runs = new Map<string, { first: number; last: TrainingRow; name?: string; params?: number }>();
  for (const r of rows) {
    const cur = runs.get(r.runId);
    if (!cur) {
      runs.set(r.runId, {
        first: r.timeMs,
        last: r,
        name: r.modelInfo?.name,
        params: r.modelInfo?.parameters,
      });
      continue;
    }
    cur.first = Math.min(cur.first, r.timeMs);
    if (r.timeMs >= cur.last.timeMs) cur.last = r;
    cur.name = r.modelInfo?.name ?? cur.name;
    cur.params = r.modelInfo?.parameters ?? cur.params;
  }
  const list = [...runs.entries()];
  await tx.query(
    `INSERT INTO training_runs (run_id, model_name, parameters, first_seen, last_seen, last_epoch, last_step, status, finished_at)
     SELECT r, n, p, to_timestamp(f), to_timestamp(l), e, s, coalesce(st, 'running'),
            CASE WHEN st IN ('finished', 'failed') THEN to_timestamp(l) END
     FROM unnest($1::text[], $2::text[], $3::int8[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::text[])
       AS u(r, n, p, f, l, e, s, st)
     ON CONFLICT (run_id) DO UPDATE SET
       model_name = coalesce(excluded.model_name, training_runs.model_name),
       parameters = coalesce(excluded.parameters, training_runs.parameters),
       first_seen = least(training_runs.first_seen, excluded.first_seen),
       last_seen  = greatest(training_runs.last_seen, excluded.last_seen),
       last_epoch = CASE WHEN excluded.last_seen >= training_runs.last_seen
                         THEN coalesce(excluded.last_epoch, training_runs.last_epoch) ELSE training_runs.last_epoch END,
       last_step  = CASE WHEN excluded.last_seen >= training_runs.last_seen
                         THEN coalesce(excluded.last_step, training_runs.last_step) ELSE training_runs.last_step END,
       status     = CASE WHEN excluded.last_seen >= training_runs.last_seen
                         THEN excluded.status ELSE training_runs.status END,
       finished_at = CASE WHEN excluded.last_seen >= training_runs.last_seen
                         THEN excluded.finished_at ELSE training_runs.finished_at END`,
    [
      list.map(([id]) => id),
      list.map(([, v]) => v.name ?? null),
      list.map(([, v]) => v.params ?? null),
      list.map(([, v]) => v.first / 1000),
      list.map(([, v]) => v.last.timeMs / 1000),
      list.map(([, v]) => v.last.epoch),
      list.map(([, v]) => v.last.step),
      list.map(([, v]) => v.last.status),
    ],
  );
  const numeric = ids.map((r) => Number(r.id));
  const payload = JSON.stringify({
    runs: list.map(([id]) => id).slice(0, 100),
    from: Math.min(...numeric),
    to: Math.max(...numeric),
  });
  // Delivered on COMMIT only: stream subscribers on every replica read the new events.
  await tx.query('SELECT pg_notify($1, $2)', [
    TRAINING_CHANNEL,
    payload.length < 7900
      ? payload
      : JSON.stringify({ from: Math.min(...numeric), to: Math.max(...numeric) }),
  ]);
}
