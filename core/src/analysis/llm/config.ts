/**
 * The analysis LLM's configuration from the environment (DESIGN.md "Configuration"):
 * OPENAI_API_KEY, OPENAI_BASE_URL, AIHUB_LLM_MODEL. Neither key nor base URL → null, and the
 * services answer with deterministic findings only.
 */
export interface LlmConfig {
  /** Sent as the bearer token; local servers (Ollama, vLLM) accept any value. */
  apiKey: string;
  /** OpenAI-compatible endpoint (…/v1); undefined → api.openai.com. */
  baseURL?: string;
  model: string;
  /** Provider name recorded in LLM-usage rows (openai, azure, ollama, openai_compatible). */
  provider: string;
  /** No progress (response headers or a streamed chunk) for this long aborts the call. */
  timeoutMs: number;
  /** Retries after 429/5xx/network errors, only before the first streamed token. */
  maxRetries: number;
  /** First backoff when the provider gives no Retry-After; doubles per attempt, ±50 % jitter. */
  retryBaseDelayMs: number;
  /** A Retry-After longer than this is not waited for; the error reaches the user with it. */
  maxRetryWaitMs: number;
  /** Calls in flight at once; more wait their turn (the original plan's per-provider limit). */
  maxConcurrency: number;
  temperature: number;
  maxOutputTokens: number;
  cache: { maxEntries: number; ttlMs: number };
}

export const DEFAULT_LLM_MODEL = 'gpt-4o-mini';

export const DEFAULT_LLM_OPTIONS: Omit<LlmConfig, 'apiKey' | 'baseURL' | 'model' | 'provider'> = {
  timeoutMs: 30_000,
  maxRetries: 2,
  retryBaseDelayMs: 500,
  maxRetryWaitMs: 20_000,
  maxConcurrency: 4,
  temperature: 0.2,
  maxOutputTokens: 1024,
  cache: { maxEntries: 500, ttlMs: 10 * 60_000 },
};

export function providerFromBaseUrl(baseURL: string | undefined): string {
  if (!baseURL) return 'openai';
  let host = '';
  try {
    const u = new URL(baseURL);
    host = u.hostname;
    if (u.port === '11434') return 'ollama';
  } catch {
    return 'openai_compatible';
  }
  if (host === 'api.openai.com') return 'openai';
  if (host.endsWith('.openai.azure.com')) return 'azure';
  return 'openai_compatible';
}

export function llmConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<LlmConfig> = {},
): LlmConfig | null {
  const apiKey = env.OPENAI_API_KEY?.trim();
  const baseURL = env.OPENAI_BASE_URL?.trim() || undefined;
  if (!apiKey && !baseURL) return null;
  return {
    ...DEFAULT_LLM_OPTIONS,
    apiKey: apiKey || 'not-needed',
    baseURL,
    model: env.AIHUB_LLM_MODEL?.trim() || DEFAULT_LLM_MODEL,
    provider: providerFromBaseUrl(baseURL),
    ...overrides,
  };
}
