import http from 'http';
import type { AddressInfo } from 'net';
import { createLlmClient, type LlmUsageRecord } from './client';
import { DEFAULT_LLM_OPTIONS, llmConfigFromEnv, type LlmConfig } from './config';
import { LlmError } from './errors';
import { startOpenAiTestServer, TEST_LLM_ERRORS, type OpenAiTestServer } from '../testing/openai-test-server';

const messages = [
  { role: 'system' as const, content: 'You are a test.' },
  { role: 'user' as const, content: 'How is the run?' },
];

let server: OpenAiTestServer;
beforeEach(async () => {
  server = await startOpenAiTestServer();
});
afterEach(async () => {
  await server.close();
});

function config(overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    ...DEFAULT_LLM_OPTIONS,
    apiKey: 'sk-test',
    baseURL: server.baseURL,
    model: 'test-model',
    provider: 'openai_compatible',
    retryBaseDelayMs: 10,
    ...overrides,
  };
}

async function failure(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof LlmError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('LLM client against a local OpenAI-compatible server', () => {
  it('streams deltas, reports usage and records the call as LLM usage', async () => {
    const client = createLlmClient(config());
    const deltas: string[] = [];
    const records: LlmUsageRecord[] = [];
    const r = await client.complete(messages, {
      onDelta: (d) => deltas.push(d),
      onAttempt: (x) => records.push(x),
    });
    expect(deltas).toEqual(['The run ', 'looks ', 'healthy: ', 'loss is ', 'falling.']);
    expect(r).toMatchObject({ text: 'The run looks healthy: loss is falling.', cached: false, attempts: 1 });
    expect(r.usage).toEqual({ input_tokens: 100, output_tokens: 5, cached_tokens: 0 });
    expect(records).toEqual([
      expect.objectContaining({
        provider: 'openai_compatible',
        model: 'test-model',
        operation: 'chat',
        status: 'ok',
        input_tokens: 100,
        output_tokens: 5,
        cache_hit: false,
      }),
    ]);
    expect(records[0].ttft_ms).toBeGreaterThanOrEqual(0);
    const sent = server.chatRequests()[0];
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toMatchObject({ model: 'test-model', stream: true, messages });
  });

  it('answers an identical request from the cache and counts the hit rate', async () => {
    const client = createLlmClient(config());
    const records: LlmUsageRecord[] = [];
    await client.complete(messages);
    const again = await client.complete([messages[0], { role: 'user', content: '  How is   the run? ' }], {
      onAttempt: (x) => records.push(x),
    });
    expect(again.cached).toBe(true);
    expect(server.chatRequests()).toHaveLength(1);
    expect(records).toEqual([
      expect.objectContaining({ cache_hit: true, input_tokens: 0, output_tokens: 0 }),
    ]);
    expect(client.cacheStats()).toMatchObject({ hits: 1, misses: 1, hit_rate: 0.5, size: 1 });
  });

  it('retries a 429 after the Retry-After the server asked for', async () => {
    server.enqueue(TEST_LLM_ERRORS.rateLimited(1));
    const client = createLlmClient(config());
    const records: LlmUsageRecord[] = [];
    const r = await client.complete(messages, { onAttempt: (x) => records.push(x) });
    expect(r.attempts).toBe(2);
    const [first, second] = server.chatRequests();
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
    expect(records.map((x) => [x.status, x.error_type])).toEqual([
      ['error', 'rate_limit'],
      ['ok', undefined],
    ]);
  });

  it('does not wait for a Retry-After longer than allowed, and tells the user when to retry', async () => {
    server.enqueue(TEST_LLM_ERRORS.rateLimited(120));
    const e = await failure(createLlmClient(config()).complete(messages));
    expect(e.info).toEqual({
      category: 'rate_limit',
      message: 'openai_compatible is rate-limiting requests to test-model.',
      suggestion: 'Wait 120 s and retry, or raise the rate limit (upgrade the API plan).',
      retry_after: 120,
      provider: 'openai_compatible',
      model: 'test-model',
    });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a 401 is an auth error, not retried, with a suggestion about the key', async () => {
    server.enqueue(TEST_LLM_ERRORS.unauthorized());
    const e = await failure(createLlmClient(config()).complete(messages));
    expect(e.category).toBe('auth');
    expect(e.info.message).toBe('openai_compatible rejected the API key for test-model (HTTP 401).');
    expect(e.info.suggestion).toMatch(/Check OPENAI_API_KEY/);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('a 500 is retried, and reported as a server error once retries run out', async () => {
    server.enqueue(TEST_LLM_ERRORS.serverError(), TEST_LLM_ERRORS.serverError());
    const ok = await createLlmClient(config()).complete(messages);
    expect(ok.attempts).toBe(3);

    server.enqueue(
      TEST_LLM_ERRORS.serverError(),
      TEST_LLM_ERRORS.serverError(),
      TEST_LLM_ERRORS.serverError(),
    );
    const e = await failure(
      createLlmClient(config({ maxRetries: 2 })).complete([...messages, { role: 'user', content: 'again' }]),
    );
    expect(e.category).toBe('server');
    expect(e.info.message).toMatch(
      /^openai_compatible failed while answering \(HTTP 500\): The server had an error/,
    );
    expect(e.info.suggestion).toMatch(/Retry in a minute/);
    expect(server.chatRequests()).toHaveLength(6);
  });

  it('a context-length error says how to shrink the request', async () => {
    server.enqueue(TEST_LLM_ERRORS.contextLength());
    const e = await failure(createLlmClient(config()).complete(messages));
    expect(e.info).toMatchObject({
      category: 'context_length',
      message: 'The analysis context is too long for test-model.',
      suggestion:
        'Narrow the time range or select fewer series, or use a model with a larger context window.',
    });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('an exhausted quota is not a rate limit', async () => {
    server.enqueue(TEST_LLM_ERRORS.quotaExceeded());
    const e = await failure(createLlmClient(config()).complete(messages));
    expect(e.category).toBe('quota');
    expect(e.info.suggestion).toMatch(/Add credit/);
  });

  it('a server that never answers times out with a friendly message', async () => {
    server.enqueue({ type: 'stall', beforeHeaders: true });
    const e = await failure(createLlmClient(config({ timeoutMs: 300 })).complete(messages));
    expect(e.info.category).toBe('timeout');
    expect(e.info.message).toBe('The LLM (test-model at openai_compatible) did not respond within 300 ms.');
    await expect(server.waitForAbort(100).catch(() => server.chatRequests()[0])).resolves.toMatchObject({
      aborted: true,
    });
  });

  it('a stream that stalls after some text times out and is not retried', async () => {
    server.enqueue({ type: 'stall', chunks: ['Partial ', 'answer'] });
    const deltas: string[] = [];
    const e = await failure(
      createLlmClient(config({ timeoutMs: 400 })).complete(messages, { onDelta: (d) => deltas.push(d) }),
    );
    expect(e.category).toBe('timeout');
    expect(deltas).toEqual(['Partial ', 'answer']);
    expect(server.chatRequests()).toHaveLength(1);
  });

  it('an unreachable endpoint is a network error naming the URL', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const client = createLlmClient(config({ baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 1 }));
    const e = await failure(client.complete(messages));
    expect(e.info.category).toBe('network');
    expect(e.info.message).toBe(`Could not reach the LLM at http://127.0.0.1:${port}/v1.`);
    expect(await client.status()).toMatchObject({
      configured: true,
      reachable: false,
      error: { category: 'network' },
    });
  });

  it('cancelling the caller signal aborts the upstream HTTP request', async () => {
    server.enqueue({ type: 'stream', chunks: ['a', 'b', 'c', 'd', 'e', 'f'], chunkDelayMs: 200 });
    const controller = new AbortController();
    const aborted = server.waitForAbort();
    const call = createLlmClient(config()).complete(messages, {
      signal: controller.signal,
      onDelta: () => controller.abort(),
    });
    const e = await failure(call);
    expect(e.category).toBe('cancelled');
    expect((await aborted).completed).toBe(false);
  });

  it('reports a reachable endpoint in its status', async () => {
    expect(await createLlmClient(config()).status()).toEqual({
      configured: true,
      reachable: true,
      model: 'test-model',
      provider: 'openai_compatible',
    });
  });
});

describe('LLM configuration from the environment', () => {
  it('is absent without key or base URL', () => {
    expect(llmConfigFromEnv({})).toBeNull();
  });
  it('reads key, base URL and model; local servers need no key', () => {
    expect(
      llmConfigFromEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', AIHUB_LLM_MODEL: 'llama3.1' }),
    ).toMatchObject({
      apiKey: 'not-needed',
      baseURL: 'http://127.0.0.1:11434/v1',
      model: 'llama3.1',
      provider: 'ollama',
      timeoutMs: 30_000,
    });
    expect(llmConfigFromEnv({ OPENAI_API_KEY: 'sk-1' })).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      baseURL: undefined,
    });
  });
});
