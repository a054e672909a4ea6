import crypto from 'crypto';
import zlib from 'zlib';
import { promisify } from 'util';
import {
  FAMILIES,
  toPayload,
  type BusinessItem,
  type LlmItem,
  type PushPayload,
  type QueuedItem,
  type SampleItem,
  type SystemItem,
  type TrainingItem,
} from './payload';
import { parseRetryAfter, retryDelay, RETRYABLE_STATUS, type RetryPolicy } from './retry-policy';

const gzip = promisify(zlib.gzip);

export interface PushClientOptions {
  /** Collector base URL; default COLLECTOR_URL or http://127.0.0.1:4880. */
  url?: string;
  /** Bearer token; default AIHUB_TOKEN. */
  token?: string;
  /** Items per request (default 500). */
  maxBatchItems?: number;
  /** A partial batch is sent after this long (default 1000 ms). */
  flushIntervalMs?: number;
  /**
   * Items held in memory while the collector is slow or down (default 10,000). Beyond it the
   * OLDEST waiting items are dropped (fresh data matters most) and counted in stats().dropped.
   */
  maxBufferedItems?: number;
  /** Retries of one batch before it is given up (default 8). */
  maxRetries?: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Retry-After is honoured up to this long (default 60 s). */
  maxRetryAfterMs?: number;
  /** Per-request timeout (default 10 s); a timed-out batch is retried with the same key. */
  requestTimeoutMs?: number;
  /** Gzip bodies larger than this many bytes (default 8 KiB; 0 disables). */
  gzipAboveBytes?: number;
  /** Called when a batch is given up (rejected as invalid, or out of retries). */
  onError?: (err: PushError) => void;
  fetch?: typeof fetch;
  random?: () => number;
}

export class PushError extends Error {
  constructor(
    message: string,
    readonly items: number,
    readonly status?: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface PushClientStats {
  /** Items the collector acknowledged (stored). */
  sent: number;
  /** Items dropped because the buffer was full (oldest first). */
  dropped: number;
  /** Items in batches given up: refused (4xx) or out of retries. */
  failed: number;
  retries: number;
  batches: number;
  buffered: number;
}

/**
 * Pushes metrics to the collector in the background: batches by size and time, one
 * Idempotency-Key per batch (a retry after a timeout is stored once), retries with
 * exponential backoff and jitter that honour Retry-After, bounded memory, flush on close().
 *
 *   const push = new PushClient({ url, token });
 *   push.llm({ provider: 'openai', model: 'gpt-4o', input_tokens: 812, output_tokens: 240 });
 *   await push.close();
 */
export class PushClient {
  private readonly url: string;
  private readonly token?: string;
  private readonly o: Required<Omit<PushClientOptions, 'url' | 'token' | 'onError'>> &
    Pick<PushClientOptions, 'onError'>;
  private readonly policy: RetryPolicy;
  private queue: QueuedItem[] = [];
  private timer?: NodeJS.Timeout;
  private sending?: Promise<void>;
  private closed = false;
  private readonly counters = { sent: 0, dropped: 0, failed: 0, retries: 0, batches: 0 };
  private readonly idleWaiters: (() => void)[] = [];

  constructor(options: PushClientOptions = {}) {
    this.url = (options.url ?? process.env.COLLECTOR_URL ?? 'http://127.0.0.1:4880').replace(/\/+$/, '');
    this.token = options.token ?? process.env.AIHUB_TOKEN;
    this.o = {
      maxBatchItems: options.maxBatchItems ?? 500,
      flushIntervalMs: options.flushIntervalMs ?? 1000,
      maxBufferedItems: options.maxBufferedItems ?? 10_000,
      maxRetries: options.maxRetries ?? 8,
      initialBackoffMs: options.initialBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      gzipAboveBytes: options.gzipAboveBytes ?? 8192,
      onError: options.onError,
      fetch: options.fetch ?? globalThis.fetch,
      random: options.random ?? Math.random,
    };
    this.policy = {
      maxRetries: this.o.maxRetries,
      initialBackoffMs: this.o.initialBackoffMs,
      maxBackoffMs: this.o.maxBackoffMs,
      maxRetryAfterMs: this.o.maxRetryAfterMs,
    };
    if (!(this.o.maxBatchItems >= 1) || !(this.o.maxBufferedItems >= this.o.maxBatchItems)) {
      throw new Error('maxBufferedItems must be at least maxBatchItems, and both positive');
    }
  }

  system(item: SystemItem): void {
    this.enqueue({ family: 'system', item: stamp(item) });
  }
  business(item: BusinessItem): void {
    this.enqueue({ family: 'business', item: stamp(item) });
  }
  llm(item: LlmItem): void {
    this.enqueue({ family: 'llm', item: stamp(item) });
  }
  training(item: TrainingItem): void {
    this.enqueue({ family: 'training', item: stamp(item) });
  }
  sample(item: SampleItem): void {
    this.enqueue({ family: 'samples', item: stamp(item) });
  }
  /** Queues every item of a push body. */
  push(payload: PushPayload): void {
    for (const family of FAMILIES) {
      for (const item of (payload[family] ?? []) as never[])
        this.enqueue({ family, item: stamp(item) } as QueuedItem);
    }
  }

  stats(): PushClientStats {
    return { ...this.counters, buffered: this.queue.length };
  }

  /** Sends everything queued so far; resolves when it is stored or given up. */
  async flush(): Promise<void> {
    this.kick();
    while (this.queue.length > 0 || this.sending) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      this.kick();
    }
  }

  /** Flushes, then refuses further items. Call it before the process exits. */
  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
    this.closed = true;
  }

  private enqueue(q: QueuedItem): void {
    if (this.closed) throw new Error('PushClient is closed');
    this.queue.push(q);
    if (this.queue.length > this.o.maxBufferedItems) {
      const excess = this.queue.length - this.o.maxBufferedItems;
      this.queue.splice(0, excess); // drop the oldest
      this.counters.dropped += excess;
    }
    if (this.queue.length >= this.o.maxBatchItems) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, this.o.flushIntervalMs);
      this.timer.unref?.();
    }
  }

  /** Starts the sender unless it runs; it takes batch after batch until the queue is empty. */
  private kick(): void {
    if (this.sending || this.queue.length === 0) {
      if (!this.sending) this.idleWaiters.splice(0).forEach((w) => w());
      return;
    }
    this.sending = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.o.maxBatchItems);
        await this.sendBatch(batch);
      }
    })().finally(() => {
      this.sending = undefined;
      this.idleWaiters.splice(0).forEach((w) => w());
    });
  }

  private async sendBatch(batch: QueuedItem[]): Promise<void> {
    const key = crypto.randomUUID();
    const json = JSON.stringify(toPayload(batch));
    const compress = this.o.gzipAboveBytes > 0 && json.length > this.o.gzipAboveBytes;
    const body = compress ? await gzip(json) : json;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': key };
    if (compress) headers['content-encoding'] = 'gzip';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    this.counters.batches++;
    for (let attempt = 0; ; attempt++) {
      let status: number | undefined;
      let retryAfter: number | undefined;
      let detail: unknown;
      try {
        const res = await this.o.fetch(`${this.url}/v1/push`, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(this.o.requestTimeoutMs),
        });
        status = res.status;
        detail = await res.json().catch(() => undefined);
        if (res.ok) {
          this.counters.sent += batch.length;
          return;
        }
        retryAfter = parseRetryAfter(res.headers.get('retry-after'));
        if (!RETRYABLE_STATUS.has(res.status)) {
          return this.giveUp(
            new PushError(`the collector refused a batch (${res.status})`, batch.length, res.status, detail),
          );
        }
      } catch (err) {
        detail = (err as Error).message; // network error or timeout: the batch may or may not be stored; the key decides
      }
      if (attempt >= this.policy.maxRetries) {
        return this.giveUp(
          new PushError(`a batch failed after ${attempt + 1} attempts`, batch.length, status, detail),
        );
      }
      this.counters.retries++;
      await this.sleep(retryDelay(this.policy, attempt, retryAfter, this.o.random));
    }
  }

  private giveUp(err: PushError): void {
    this.counters.failed += err.items;
    if (this.o.onError) this.o.onError(err);
    else process.emitWarning(`@aihub/client: ${err.message}; ${err.items} items lost`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

/** Items get their timestamp when recorded, not when the batch leaves. */
function stamp<T extends { ts?: number | string }>(item: T): T {
  return item.ts === undefined ? { ...item, ts: Date.now() } : item;
}
