import type { LlmItem } from './payload';

/** The recording side: a PushClient, or anything with its llm() method. */
export interface LlmRecorder {
  llm(item: LlmItem): void;
}

export interface InstrumentOptions {
  /** Provider label; default guessed from the client's baseURL (openai, azure, …). */
  provider?: string;
  /** Extra fields for every record (user_id, session_id, organization_id, tags). */
  attributes?: Pick<LlmItem, 'user_id' | 'session_id' | 'organization_id' | 'tags'>;
  /**
   * Streams report token usage only with stream_options.include_usage. The wrapper asks for it
   * unless the caller set it, and then hides the extra usage-only chunk from the caller (default true).
   */
  requestStreamUsage?: boolean;
}

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}
interface Chunk {
  choices?: { delta?: { content?: string | null; tool_calls?: unknown[]; refusal?: string | null } }[];
  usage?: Usage | null;
}
interface StreamLike {
  iterator: () => AsyncIterator<Chunk>;
}
interface ApiPromiseLike<T> extends Promise<T> {
  _thenUnwrap?: <U>(fn: (value: T) => U) => ApiPromiseLike<U>;
  responsePromise?: Promise<unknown>;
}
/** The shape of an OpenAI SDK client this wrapper needs (openai ≥ 4). */
export interface OpenAILike {
  baseURL?: string;
  chat: { completions: { create: (...args: never[]) => unknown } };
}

const WRAPPED = Symbol.for('aihub.instrumentOpenAI');

/** Provider from the client's base URL. */
export function providerFromBaseURL(baseURL: string | undefined): string {
  let host = '';
  try {
    host = new URL(baseURL ?? 'https://api.openai.com/v1').hostname;
  } catch {
    return 'openai_compatible';
  }
  const known: [RegExp, string][] = [
    [/(^|\.)openai\.com$/, 'openai'],
    [/(^|\.)openai\.azure\.com$|(^|\.)azure\.com$/, 'azure.ai.openai'],
    [/(^|\.)groq\.com$/, 'groq'],
    [/(^|\.)deepseek\.com$/, 'deepseek'],
    [/(^|\.)mistral\.ai$/, 'mistral_ai'],
    [/(^|\.)together\.(xyz|ai)$/, 'together'],
    [/(^|\.)openrouter\.ai$/, 'openrouter'],
    [/(^|\.)x\.ai$/, 'x_ai'],
    [/(^|\.)anthropic\.com$/, 'anthropic'],
    [/(^|\.)googleapis\.com$/, 'gcp.gemini'],
  ];
  for (const [re, name] of known) if (re.test(host)) return name;
  return 'openai_compatible';
}

/** error.type for a failed call, from the OpenAI SDK's error classes and the HTTP status. */
export function classifyOpenAIError(err: unknown): string {
  const e = err as { name?: string; status?: number; code?: string | null; constructor?: { name?: string } };
  const name = e?.constructor?.name ?? e?.name ?? '';
  if (name === 'APIConnectionTimeoutError') return 'timeout';
  if (name === 'APIUserAbortError' || e?.name === 'AbortError') return 'cancelled';
  if (name === 'APIConnectionError') return 'connection';
  const status = e?.status;
  if (status === 429) return e.code === 'insufficient_quota' ? 'insufficient_quota' : 'rate_limit';
  if (status === 401) return 'authentication';
  if (status === 403) return 'permission_denied';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 400) return e.code === 'context_length_exceeded' ? 'context_length_exceeded' : 'bad_request';
  if (typeof status === 'number' && status >= 500) return 'server_error';
  return name && name !== 'Error' ? name : '_OTHER';
}

const hasOutput = (c: Chunk) =>
  (c.choices ?? []).some(
    (ch) =>
      !!ch.delta && (!!ch.delta.content || (ch.delta.tool_calls?.length ?? 0) > 0 || !!ch.delta.refusal),
  );

/**
 * Wraps `client.chat.completions.create` so that every call — streaming or not — records an
 * LLM usage item (provider, model, input/output/cached tokens, latency, time to first token,
 * status, error type) through `recorder`. The caller's code does not change; the return
 * values keep their SDK types (APIPromise, Stream). Returns the same client.
 */
export function instrumentOpenAI<C extends OpenAILike>(
  client: C,
  recorder: LlmRecorder,
  options: InstrumentOptions = {},
): C {
  const completions = client.chat.completions as unknown as Record<string | symbol, unknown> & {
    create: (...a: unknown[]) => unknown;
  };
  if (completions[WRAPPED]) return client;
  const original = completions.create.bind(completions);
  const provider = options.provider ?? providerFromBaseURL(client.baseURL);
  const askUsage = options.requestStreamUsage ?? true;

  completions.create = function instrumentedCreate(body: unknown, ...rest: unknown[]) {
    const params = (body ?? {}) as {
      model?: string;
      stream?: boolean;
      stream_options?: { include_usage?: boolean } | null;
    };
    const model = params.model ?? 'unknown';
    const stream = params.stream === true;
    const injectUsage = stream && askUsage && params.stream_options?.include_usage === undefined;
    const sentBody = injectUsage
      ? { ...params, stream_options: { ...(params.stream_options ?? {}), include_usage: true } }
      : body;
    const startedAt = Date.now();
    const started = performance.now();
    let recorded = false;
    const record = (fields: Partial<LlmItem>) => {
      if (recorded) return;
      recorded = true;
      try {
        recorder.llm({
          ts: startedAt,
          provider,
          model,
          operation: 'chat',
          latency_ms: performance.now() - started,
          status: 'ok',
          ...options.attributes,
          ...fields,
        });
      } catch {
        // Recording must never break the caller's request.
      }
    };
    const usageFields = (u: Usage | null | undefined): Partial<LlmItem> =>
      u
        ? {
            input_tokens: u.prompt_tokens ?? 0,
            output_tokens: u.completion_tokens ?? 0,
            cached_tokens: u.prompt_tokens_details?.cached_tokens ?? 0,
          }
        : {};
    const recordError = (err: unknown) => record({ status: 'error', error_type: classifyOpenAIError(err) });

    const result = original(sentBody, ...rest) as ApiPromiseLike<unknown>;
    // Request-level failures (HTTP errors, timeouts) reject responsePromise without parsing the body.
    (result.responsePromise ?? result).then(undefined, recordError);
    const onValue = (value: unknown) => {
      if (!stream) {
        record(usageFields((value as { usage?: Usage } | null)?.usage));
        return value;
      }
      wrapStream(value as StreamLike);
      return value;
    };
    const wrapStream = (s: StreamLike) => {
      const inner = s.iterator;
      let ttft: number | undefined;
      let firstChunk: number | undefined;
      let usage: Usage | null | undefined;
      s.iterator = async function* () {
        try {
          for await (const chunk of { [Symbol.asyncIterator]: inner }) {
            const at = performance.now() - started;
            firstChunk ??= at;
            if (ttft === undefined && hasOutput(chunk)) ttft = at;
            if (chunk.usage) usage = chunk.usage;
            // The usage-only chunk we asked for is ours, not the caller's.
            if (injectUsage && chunk.usage && (chunk.choices?.length ?? 0) === 0) continue;
            yield chunk;
          }
          record({ ...usageFields(usage), ttft_ms: ttft ?? firstChunk });
        } catch (err) {
          record({
            ...usageFields(usage),
            ttft_ms: ttft ?? firstChunk,
            status: 'error',
            error_type: classifyOpenAIError(err),
          });
          throw err;
        } finally {
          // The caller stopped reading early: what was seen is recorded, usage may be missing.
          record({ ...usageFields(usage), ttft_ms: ttft ?? firstChunk });
        }
      } as unknown as () => AsyncIterator<Chunk>;
    };
    return typeof result._thenUnwrap === 'function' ? result._thenUnwrap(onValue) : result.then(onValue);
  } as unknown as typeof completions.create;
  completions[WRAPPED] = true;
  return client;
}
