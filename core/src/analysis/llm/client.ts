/**
 * The analysis LLM client on the openai SDK, for any OpenAI-compatible endpoint.
 *
 * - Streams; `onDelta` receives text as it arrives.
 * - A progress timeout (30 s default): the call fails as `timeout` when neither response
 *   headers nor a streamed chunk arrive for that long — a stalled stream cannot hang a request.
 * - Cancellation: the caller's AbortSignal aborts the HTTP request to the provider.
 * - Retries on 429/5xx/network errors honouring Retry-After, only before the first streamed
 *   token (afterwards a retry would repeat text the user already saw). The SDK's own retries
 *   are off so that waits are cancellable and every attempt is recorded.
 * - Every attempt (and every cache hit) is reported through `onAttempt` as a DESIGN.md
 *   LLM-usage push item, so the assistant's own usage lands in storage and metrics.
 * - Identical requests within the TTL are answered from an LRU cache.
 */
import crypto from 'crypto';
import OpenAI from 'openai';
import type { LlmConfig } from './config';
import { classifyLlmError, LlmError, type LlmErrorInfo } from './errors';
import { LruTtlCache, type CacheStats } from './response-cache';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LlmUsage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
}

/** A DESIGN.md `llm` push item describing one call the assistant made. */
export interface LlmUsageRecord {
  ts: number;
  provider: string;
  model: string;
  operation: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  ttft_ms?: number;
  status: 'ok' | 'error';
  error_type?: string;
  cache_hit?: boolean;
}

export interface LlmCallOptions {
  signal?: AbortSignal;
  onDelta?: (text: string) => void;
  onAttempt?: (record: LlmUsageRecord) => void;
  /** Recorded as the usage item's operation; default "chat". */
  operation?: string;
  /** Set false to bypass the response cache. */
  cache?: boolean;
}

export interface LlmResult {
  text: string;
  model: string;
  usage: LlmUsage;
  cached: boolean;
  attempts: number;
  latency_ms: number;
  ttft_ms?: number;
}

export interface LlmStatus {
  configured: true;
  reachable: boolean;
  model: string;
  provider: string;
  error?: LlmErrorInfo;
}

export interface LlmClient {
  readonly model: string;
  readonly provider: string;
  complete(messages: ChatMessage[], options?: LlmCallOptions): Promise<LlmResult>;
  /** Whether the endpoint answers (GET /models), cached for a few seconds. */
  status(signal?: AbortSignal): Promise<LlmStatus>;
  cacheStats(): CacheStats;
}

/** Whitespace-normalised request → sha256: the cache key (operation, model, messages, parameters). */
export function requestKey(
  config: Pick<LlmConfig, 'model' | 'temperature' | 'maxOutputTokens'>,
  messages: ChatMessage[],
): string {
  const normalised = {
    model: config.model,
    temperature: config.temperature,
    max_tokens: config.maxOutputTokens,
    messages: messages.map((m) => ({ role: m.role, content: m.content.replace(/\s+/g, ' ').trim() })),
  };
  return crypto.createHash('sha256').update(JSON.stringify(normalised)).digest('hex');
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A counting semaphore: at most `limit` calls in flight. */
class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason);
        };
        this.waiting.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

const estimateTokens = (text: string) => Math.ceil(text.length / 4);

export function createLlmClient(config: LlmConfig): LlmClient {
  const sdk = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseURL,
    maxRetries: 0,
    timeout: config.timeoutMs,
  });
  const cache = new LruTtlCache<Omit<LlmResult, 'cached' | 'attempts' | 'latency_ms' | 'ttft_ms'>>(
    config.cache.maxEntries,
    config.cache.ttlMs,
  );
  const limit = new ConcurrencyLimit(config.maxConcurrency);
  const target = {
    provider: config.provider,
    model: config.model,
    baseURL: config.baseURL,
    timeoutMs: config.timeoutMs,
  };
  let lastStatus: { at: number; value: LlmStatus } | null = null;

  /** One HTTP attempt, streamed, with the progress timeout and the caller's signal wired in. */
  async function attempt(messages: ChatMessage[], options: LlmCallOptions, emitted: { any: boolean }) {
    const controller = new AbortController();
    let reason: 'timeout' | 'cancelled' | undefined;
    const onCallerAbort = () => {
      reason = 'cancelled';
      controller.abort();
    };
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener('abort', onCallerAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        reason = 'timeout';
        controller.abort();
      }, config.timeoutMs);
    };
    const started = Date.now();
    let ttft: number | undefined;
    let text = '';
    let usage: LlmUsage | undefined;
    let model = config.model;
    arm();
    try {
      const stream = await sdk.chat.completions.create(
        {
          model: config.model,
          messages,
          temperature: config.temperature,
          max_tokens: config.maxOutputTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: controller.signal },
      );
      arm();
      for await (const chunk of stream) {
        arm();
        if (chunk.model) model = chunk.model;
        const delta = chunk.choices?.[0]?.delta?.content;
        if (delta) {
          if (ttft === undefined) ttft = Date.now() - started;
          text += delta;
          emitted.any = true;
          options.onDelta?.(delta);
        }
        if (chunk.usage) {
          usage = {
            input_tokens: chunk.usage.prompt_tokens ?? 0,
            output_tokens: chunk.usage.completion_tokens ?? 0,
            cached_tokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
          };
        }
      }
      if (reason) throw classifyLlmError(new Error(reason), target, reason);
      usage ??= {
        input_tokens: estimateTokens(messages.map((m) => m.content).join('\n')),
        output_tokens: estimateTokens(text),
        cached_tokens: 0,
      };
      const latency = Date.now() - started;
      options.onAttempt?.({
        ts: started,
        provider: config.provider,
        model,
        operation: options.operation ?? 'chat',
        input_tokens: usage.input_tokens,
        output_tokens: usage.output_tokens,
        latency_ms: latency,
        ...(ttft !== undefined ? { ttft_ms: ttft } : {}),
        status: 'ok',
        cache_hit: false,
      });
      return { text, model, usage, latency_ms: latency, ttft_ms: ttft };
    } catch (err) {
      const classified = classifyLlmError(err, target, reason);
      options.onAttempt?.({
        ts: started,
        provider: config.provider,
        model,
        operation: options.operation ?? 'chat',
        input_tokens: 0,
        output_tokens: estimateTokens(text),
        latency_ms: Date.now() - started,
        ...(ttft !== undefined ? { ttft_ms: ttft } : {}),
        status: 'error',
        error_type: classified.category,
        cache_hit: false,
      });
      throw classified;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  async function complete(messages: ChatMessage[], options: LlmCallOptions = {}): Promise<LlmResult> {
    const useCache = options.cache !== false;
    const key = useCache ? requestKey(config, messages) : '';
    const hit = useCache ? cache.get(key) : undefined;
    if (hit) {
      options.onDelta?.(hit.text);
      options.onAttempt?.({
        ts: Date.now(),
        provider: config.provider,
        model: hit.model,
        operation: options.operation ?? 'chat',
        input_tokens: 0,
        output_tokens: 0,
        latency_ms: 0,
        status: 'ok',
        cache_hit: true,
      });
      return { ...hit, cached: true, attempts: 0, latency_ms: 0 };
    }
    return limit
      .run(async () => {
        const emitted = { any: false };
        for (let n = 0; ; n++) {
          try {
            const r = await attempt(messages, options, emitted);
            if (useCache) cache.set(key, { text: r.text, model: r.model, usage: r.usage });
            return { ...r, cached: false, attempts: n + 1 };
          } catch (err) {
            const e = err as LlmError;
            const waitMs =
              e.info.retry_after !== undefined
                ? e.info.retry_after * 1000
                : config.retryBaseDelayMs * 2 ** n * (0.5 + Math.random());
            if (!e.retryable || emitted.any || n >= config.maxRetries || waitMs > config.maxRetryWaitMs)
              throw e;
            try {
              await abortableSleep(waitMs, options.signal);
            } catch {
              throw classifyLlmError(new Error('cancelled'), target, 'cancelled');
            }
          }
        }
      }, options.signal)
      .catch((err: unknown) => {
        throw err instanceof LlmError
          ? err
          : classifyLlmError(err, target, options.signal?.aborted ? 'cancelled' : undefined);
      });
  }

  async function status(signal?: AbortSignal): Promise<LlmStatus> {
    if (lastStatus && Date.now() - lastStatus.at < 15_000) return lastStatus.value;
    const base = { configured: true as const, model: config.model, provider: config.provider };
    let value: LlmStatus;
    try {
      await sdk.models.list({ signal, timeout: Math.min(config.timeoutMs, 5_000) });
      value = { ...base, reachable: true };
    } catch (err) {
      const e = classifyLlmError(err, target);
      // Any HTTP answer but an auth failure means the server is there (some lack /models).
      const reachable = e.status !== undefined && e.category !== 'auth';
      value = reachable ? { ...base, reachable } : { ...base, reachable, error: e.info };
    }
    lastStatus = { at: Date.now(), value };
    return value;
  }

  return {
    model: config.model,
    provider: config.provider,
    complete,
    status,
    cacheStats: () => cache.stats(),
  };
}
