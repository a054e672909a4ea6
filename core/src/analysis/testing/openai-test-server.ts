/**
 * A small OpenAI-compatible HTTP server for tests and benchmarks (real HTTP on 127.0.0.1):
 * `POST /v1/chat/completions` (streamed SSE or plain JSON) and `GET /v1/models`.
 * Each request takes the next queued behaviour, or the default one: stream text, stall,
 * or answer with an error (429 with Retry-After, 401, 500, context length …). It records
 * every request body and whether the client aborted it, so tests can prove cancellation.
 *
 *   const llm = await startOpenAiTestServer();
 *   llm.enqueue({ type: 'error', status: 429, retryAfterSeconds: 1 });
 *   new OpenAI({ baseURL: llm.baseURL, apiKey: 'test' })
 */
import http from 'http';
import type { AddressInfo } from 'net';

export type TestLlmBehaviour =
  | {
      type: 'stream';
      /** Text pieces sent as separate chunks. */
      chunks: string[];
      /** Pause before each chunk (ms). */
      chunkDelayMs?: number;
      /** Pause before the response headers (ms). */
      headerDelayMs?: number;
      usage?: { prompt_tokens: number; completion_tokens: number; cached_tokens?: number };
    }
  | {
      /** Sends the headers and `chunks`, then goes silent until the client gives up. */
      type: 'stall';
      chunks?: string[];
      /** Stall before any headers instead. */
      beforeHeaders?: boolean;
    }
  | {
      type: 'error';
      status: number;
      message?: string;
      code?: string;
      errorType?: string;
      retryAfterSeconds?: number;
    };

export const TEST_LLM_ERRORS = {
  rateLimited: (retryAfterSeconds = 1): TestLlmBehaviour => ({
    type: 'error',
    status: 429,
    retryAfterSeconds,
    message: 'Rate limit reached for requests',
    code: 'rate_limit_exceeded',
    errorType: 'requests',
  }),
  quotaExceeded: (): TestLlmBehaviour => ({
    type: 'error',
    status: 429,
    message: 'You exceeded your current quota, please check your plan and billing details.',
    code: 'insufficient_quota',
    errorType: 'insufficient_quota',
  }),
  unauthorized: (): TestLlmBehaviour => ({
    type: 'error',
    status: 401,
    message:
      'Incorrect API key provided: sk-test. You can find your API key at https://platform.openai.com/account/api-keys.',
    code: 'invalid_api_key',
    errorType: 'invalid_request_error',
  }),
  serverError: (): TestLlmBehaviour => ({
    type: 'error',
    status: 500,
    message: 'The server had an error while processing your request.',
    errorType: 'server_error',
  }),
  contextLength: (): TestLlmBehaviour => ({
    type: 'error',
    status: 400,
    message:
      "This model's maximum context length is 8192 tokens. However, your messages resulted in 9211 tokens. Please reduce the length of the messages.",
    code: 'context_length_exceeded',
    errorType: 'invalid_request_error',
  }),
};

export interface RecordedLlmRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: {
    model?: string;
    stream?: boolean;
    messages?: { role: string; content: string }[];
    [k: string]: unknown;
  };
  receivedAt: number;
  /** Time the first content chunk was written (ms since epoch). */
  firstChunkAt?: number;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  completed: boolean;
}

export interface OpenAiTestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** http://127.0.0.1:PORT/v1 — what OPENAI_BASE_URL / the SDK's baseURL takes. */
  baseURL: string;
  requests: RecordedLlmRequest[];
  /** Behaviours for the next requests, in order. */
  enqueue(...behaviours: TestLlmBehaviour[]): void;
  setDefault(behaviour: TestLlmBehaviour): void;
  /** Resolves when a chat request was aborted by its client. */
  waitForAbort(timeoutMs?: number): Promise<RecordedLlmRequest>;
  /** Chat completion requests only. */
  chatRequests(): RecordedLlmRequest[];
  close(): Promise<void>;
}

export const DEFAULT_TEST_ANSWER = ['The run ', 'looks ', 'healthy: ', 'loss is ', 'falling.'];

export async function startOpenAiTestServer(
  options: { defaultBehaviour?: TestLlmBehaviour; port?: number } = {},
): Promise<OpenAiTestServer> {
  const queue: TestLlmBehaviour[] = [];
  let fallback: TestLlmBehaviour = options.defaultBehaviour ?? {
    type: 'stream',
    chunks: DEFAULT_TEST_ANSWER,
  };
  const requests: RecordedLlmRequest[] = [];
  const abortWaiters: ((r: RecordedLlmRequest) => void)[] = [];
  const open = new Set<http.ServerResponse>();
  let seq = 0;

  const server = http.createServer((req, res) => {
    const chunksIn: Buffer[] = [];
    req.on('data', (c: Buffer) => chunksIn.push(c));
    req.on('end', () => {
      let body: RecordedLlmRequest['body'] = {};
      try {
        body = chunksIn.length ? JSON.parse(Buffer.concat(chunksIn).toString('utf8')) : {};
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'invalid JSON', type: 'invalid_request_error' } }));
        return;
      }
      const path = (req.url ?? '/').split('?')[0];
      const record: RecordedLlmRequest = {
        method: req.method ?? 'GET',
        path,
        headers: req.headers,
        body,
        receivedAt: Date.now(),
        aborted: false,
        completed: false,
      };
      requests.push(record);
      open.add(res);
      res.on('close', () => {
        open.delete(res);
        if (!res.writableFinished) {
          record.aborted = true;
          if (path.endsWith('/chat/completions')) abortWaiters.splice(0).forEach((w) => w(record));
        }
      });
      if (req.method === 'GET' && path.endsWith('/models')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model', owned_by: 'test' }] }),
        );
        record.completed = true;
        return;
      }
      if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' },
          }),
        );
        return;
      }
      void respond(queue.shift() ?? fallback, record, res, `chatcmpl-test-${++seq}`);
    });
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function respond(
    b: TestLlmBehaviour,
    record: RecordedLlmRequest,
    res: http.ServerResponse,
    id: string,
  ) {
    const model = record.body.model ?? 'test-model';
    if (b.type === 'error') {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (b.retryAfterSeconds !== undefined) headers['retry-after'] = String(b.retryAfterSeconds);
      res.writeHead(b.status, headers);
      res.end(
        JSON.stringify({
          error: {
            message: b.message ?? `error ${b.status}`,
            type: b.errorType ?? 'error',
            param: null,
            code: b.code ?? null,
          },
        }),
      );
      record.completed = true;
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: object, finish: string | null = null, usage?: object) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
        ...(usage ? { usage } : {}),
      })}\n\n`;
    if (b.type === 'stall' && b.beforeHeaders) return; // silence until the client gives up
    if (b.type === 'stream' && b.headerDelayMs) await sleep(b.headerDelayMs);
    if (res.destroyed) return;
    const chunks = b.chunks ?? [];
    if (!record.body.stream) {
      if (b.type === 'stall') return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            { index: 0, message: { role: 'assistant', content: chunks.join('') }, finish_reason: 'stop' },
          ],
          usage: {
            prompt_tokens: b.usage?.prompt_tokens ?? 100,
            completion_tokens: b.usage?.completion_tokens ?? chunks.length,
            total_tokens: 0,
          },
        }),
      );
      record.completed = true;
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    res.write(chunk({ role: 'assistant', content: '' }));
    for (const piece of chunks) {
      if (b.type === 'stream' && b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (res.destroyed) return;
      record.firstChunkAt ??= Date.now();
      res.write(chunk({ content: piece }));
    }
    if (b.type === 'stall') return;
    res.write(chunk({}, 'stop'));
    if (
      record.body.stream_options &&
      (record.body.stream_options as { include_usage?: boolean }).include_usage
    ) {
      const u = b.usage ?? { prompt_tokens: 100, completion_tokens: chunks.length };
      res.write(
        chunk({}, null, {
          prompt_tokens: u.prompt_tokens,
          completion_tokens: u.completion_tokens,
          total_tokens: u.prompt_tokens + u.completion_tokens,
          prompt_tokens_details: { cached_tokens: b.usage?.cached_tokens ?? 0 },
        }),
      );
    }
    res.end('data: [DONE]\n\n');
    record.completed = true;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    requests,
    enqueue: (...b) => void queue.push(...b),
    setDefault: (b) => {
      fallback = b;
    },
    chatRequests: () => requests.filter((r) => r.path.endsWith('/chat/completions')),
    waitForAbort(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no aborted request within ${timeoutMs} ms`)),
          timeoutMs,
        );
        abortWaiters.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    async close() {
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
