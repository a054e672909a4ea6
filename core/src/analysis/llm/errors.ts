/**
 * LLM failures turned into something a user can act on (the original plan's async LLM guide):
 * what failed, which provider and model, a suggestion, and when to retry.
 */
import OpenAI from 'openai';
import { redactUrl, redactUrlsIn } from '../../http/redact-url';

export const LLM_ERROR_CATEGORIES = [
  'auth',
  'rate_limit',
  'quota',
  'context_length',
  'timeout',
  'network',
  'server',
  'bad_request',
  /** The caller went away; nobody is left to tell, but usage records say so. */
  'cancelled',
  /** No OPENAI_API_KEY / OPENAI_BASE_URL: the deterministic findings are the answer. */
  'not_configured',
] as const;
export type LlmErrorCategory = (typeof LLM_ERROR_CATEGORIES)[number];

export interface LlmErrorInfo {
  category: LlmErrorCategory;
  message: string;
  suggestion: string;
  /** Seconds to wait before retrying, when the provider said so. */
  retry_after?: number;
  provider: string;
  model: string;
}

export class LlmError extends Error {
  constructor(
    readonly info: LlmErrorInfo,
    readonly status?: number,
  ) {
    super(info.message);
    this.name = 'LlmError';
  }
  get category(): LlmErrorCategory {
    return this.info.category;
  }
  /** Transient failures worth another attempt. */
  get retryable(): boolean {
    return (
      this.info.category === 'rate_limit' ||
      this.info.category === 'server' ||
      this.info.category === 'network'
    );
  }
}

interface Target {
  provider: string;
  model: string;
  baseURL?: string;
  timeoutMs: number;
}

/** Seconds from Retry-After (seconds or HTTP date) or retry-after-ms; undefined when absent. */
export function retryAfterSeconds(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms) / 1000);
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, (date - now) / 1000) : undefined;
}

/** The provider's own words, bounded, for the message (never its headers or our key). */
function providerMessage(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { message?: unknown } | undefined;
  const raw = typeof body?.message === 'string' ? body.message : err.message;
  return raw.replace(/\s+/g, ' ').trim().slice(0, 300);
}

const CONTEXT_PATTERN =
  /context[_ ]length|maximum context|context window|too many tokens|prompt is too long|reduce the length/i;
const QUOTA_PATTERN = /insufficient_quota|quota|billing|credit/i;

export function classifyLlmError(err: unknown, target: Target, reason?: 'timeout' | 'cancelled'): LlmError {
  const { provider, model } = target;
  // The base URL may carry credentials (http://user:pass@host/v1): never show them.
  const where = target.baseURL ? redactUrl(target.baseURL) : 'api.openai.com';
  const make = (
    category: LlmErrorCategory,
    message: string,
    suggestion: string,
    status?: number,
    retry_after?: number,
  ) =>
    new LlmError(
      {
        category,
        message: redactUrlsIn(message),
        suggestion: redactUrlsIn(suggestion),
        provider,
        model,
        ...(retry_after !== undefined ? { retry_after: Math.ceil(retry_after) } : {}),
      },
      status,
    );

  if (err instanceof LlmError) return err;
  if (reason === 'timeout' || err instanceof OpenAI.APIConnectionTimeoutError) {
    return make(
      'timeout',
      `The LLM (${model} at ${provider}) did not respond within ${target.timeoutMs >= 1000 ? `${Math.round(target.timeoutMs / 1000)} s` : `${target.timeoutMs} ms`}.`,
      "Retry; if it keeps happening, use a faster model (AIHUB_LLM_MODEL) or check the provider's status.",
    );
  }
  if (reason === 'cancelled' || err instanceof OpenAI.APIUserAbortError) {
    return make('cancelled', 'The request was cancelled.', 'Nothing to do.');
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return make(
      'network',
      `Could not reach the LLM at ${where}.`,
      'Check OPENAI_BASE_URL and that the LLM server is running and reachable from the collector.',
    );
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status;
    const said = providerMessage(err);
    const code = typeof err.code === 'string' ? err.code : '';
    const retryAfter = retryAfterSeconds(err.headers as Headers | undefined);
    if (status === 401 || status === 403) {
      return make(
        'auth',
        `${provider} rejected the API key for ${model} (HTTP ${status}).`,
        `Check OPENAI_API_KEY for the endpoint ${where}, and that the key may use ${model}.`,
        status,
      );
    }
    if (status === 402 || (status === 429 && (QUOTA_PATTERN.test(code) || QUOTA_PATTERN.test(said)))) {
      return make(
        'quota',
        `The ${provider} account has run out of quota or credit.`,
        "Add credit or raise the quota in the provider's console, or point OPENAI_BASE_URL at another provider.",
        status,
      );
    }
    if (status === 429) {
      return make(
        'rate_limit',
        `${provider} is rate-limiting requests to ${model}.`,
        retryAfter !== undefined
          ? `Wait ${Math.ceil(retryAfter)} s and retry, or raise the rate limit (upgrade the API plan).`
          : 'Wait a minute and retry, or raise the rate limit (upgrade the API plan).',
        status,
        retryAfter ?? 60,
      );
    }
    if (code === 'context_length_exceeded' || CONTEXT_PATTERN.test(said)) {
      return make(
        'context_length',
        `The analysis context is too long for ${model}.`,
        'Narrow the time range or select fewer series, or use a model with a larger context window.',
        status,
      );
    }
    if (status === 408) {
      return make('timeout', `The LLM (${model}) timed out (HTTP 408).`, 'Retry in a moment.', status);
    }
    if (status === undefined || status >= 500) {
      return make(
        'server',
        `${provider} failed while answering${status ? ` (HTTP ${status})` : ''}: ${said}`,
        "Retry in a minute; if it persists, check the provider's status page.",
        status,
        retryAfter,
      );
    }
    if (status === 404) {
      return make(
        'bad_request',
        `${provider} does not serve the model ${model} (HTTP 404): ${said}`,
        'Set AIHUB_LLM_MODEL to a model this endpoint serves.',
        status,
      );
    }
    return make(
      'bad_request',
      `${provider} rejected the request (HTTP ${status}): ${said}`,
      'Check AIHUB_LLM_MODEL and that OPENAI_BASE_URL points at an OpenAI-compatible /v1 endpoint.',
      status,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return make(
    'network',
    `Calling the LLM at ${where} failed: ${message.slice(0, 200)}`,
    'Check OPENAI_BASE_URL and the network.',
  );
}

export function notConfiguredError(): LlmErrorInfo {
  return {
    category: 'not_configured',
    message: 'No analysis LLM is configured, so the answer is the deterministic findings only.',
    suggestion:
      'Set OPENAI_API_KEY (and OPENAI_BASE_URL / AIHUB_LLM_MODEL for other providers) and restart the collector.',
    provider: 'none',
    model: 'none',
  };
}
