/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import { execFile } from 'child_process';
import path from 'path';
import zlib from 'zlib';
import { PriceTable } from '@aihub/core';
import { llmTraffic } from '@aihub/core/testing';
import {
  startOpenAiTestServer,
  TEST_LLM_ERRORS,
  type OpenAiTestServer,
} from '../../../core/src/analysis/testing/openai-test-server';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { storedCounts } from '../testing/stored-counts';

async function rows(c: TestCollector, model: string) {
  return c.collector.context.db.query<any>(
    `SELECT provider, model, operation, input_tokens::int AS input, output_tokens::int AS output,
            cached_tokens::int AS cached, latency_ms, ttft_ms, status, error_type, cost_usd, user_id,
            session_id, tags
     FROM llm_requests WHERE model = $1 ORDER BY time`,
    [model],
  );
}

/** Runs testing/genai-app.js: the official instrumentation in a real Node process. */
function runInstrumentedApp(env: Record<string, string>): Promise<{ spans: number; results: number[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(__dirname, '../testing/genai-app.js')],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}

describe('OTLP traces: the official OpenAI instrumentation around the openai SDK', () => {
  let c: TestCollector;
  let llm: OpenAiTestServer;
  beforeAll(async () => {
    c = await startTestCollector();
    llm = await startOpenAiTestServer();
  });
  afterAll(async () => {
    await llm.close();
    await c.stop();
  });

  test.each([
    ['proto', 'gpt-4o-mini'],
    ['json', 'gpt-4o'],
  ])(
    'the OTLP %s exporter: requests, tokens, errors and cost arrive as LLM requests; a retried export stores nothing twice',
    async (exporter, model) => {
      llm.enqueue(
        { type: 'stream', chunks: ['Hello', ' there'], usage: { prompt_tokens: 321, completion_tokens: 12 } },
        { type: 'stream', chunks: ['a', 'b', 'c'], usage: { prompt_tokens: 200, completion_tokens: 3 } },
        TEST_LLM_ERRORS.rateLimited(),
      );
      const before = await storedCounts(c);
      const run = await runInstrumentedApp({
        EXPORTER: exporter,
        MODEL: model,
        OPENAI_BASE_URL: llm.baseURL,
        COLLECTOR_URL: c.url,
        AIHUB_TOKEN: TEST_TOKEN,
      });
      expect(run).toEqual({ spans: 4, results: [0, 0] }); // both exports (the second a retry) succeeded
      expect((await storedCounts(c)).llm_requests).toBe(before.llm_requests + 3);

      const stored = await rows(c, model);
      expect(stored.map((r: any) => [r.provider, r.operation, r.input, r.output, r.status])).toEqual([
        ['openai', 'chat', 321, 12, 'ok'],
        ['openai', 'chat', 200, 3, 'ok'],
        ['openai', 'chat', 0, 0, 'error'],
      ]);
      expect(stored[2].error_type).toEqual(expect.any(String));
      expect(stored[0].tags).toEqual(expect.objectContaining({ service: 'chat-app' }));
      for (const r of stored) expect(r.latency_ms).toBeGreaterThan(0);
      const prices = new PriceTable();
      const expected = (input: number, output: number) =>
        prices.price(
          'openai',
          model,
          { inputTokens: input, outputTokens: output, cachedTokens: 0 },
          new Date(),
        )!.costUsd;
      expect(stored[0].cost_usd).toBeGreaterThan(0);
      expect(stored[0].cost_usd).toBeCloseTo(expected(321, 12), 12);
      expect(stored[1].cost_usd).toBeCloseTo(expected(200, 3), 12);

      const { body } = await c.get(`/v1/llm/summary?from=${Date.now() - 600_000}&to=${Date.now() + 60_000}`);
      expect(body.models.find((m: any) => m.model === model)).toMatchObject({
        provider: 'openai',
        requests: 3,
        errors: 1,
        input_tokens: 521,
        output_tokens: 15,
      });
      // The LLM dashboards read the GenAI metrics Prometheus scrapes: span-fed requests count there too.
      const metrics = await (await c.request('/metrics')).text();
      const m = model.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const family of ['gen_ai_client_token_usage_count', 'gen_ai_client_operation_duration_count'])
        expect(metrics).toMatch(new RegExp(`${family}\\{[^}]*gen_ai_request_model="${m}"[^}]*\\} [1-9]`));
    },
  );

  test('spans that are not model calls are counted and dropped; retried spans counted as duplicates', async () => {
    const metrics = await (await c.request('/metrics')).text();
    expect(metrics).toMatch(/aihub_otlp_spans_total\{[^}]*outcome="not_model_call"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/aihub_otlp_spans_total\{[^}]*outcome="duplicate"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/aihub_otlp_spans_total\{[^}]*outcome="stored"[^}]*\} [1-9]/);
  });
});

describe('OTLP traces: other conventions, hand-written OTLP/JSON', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(() => c.stop());

  const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
  const kv = (key: string, v: string | number) =>
    typeof v === 'string' ? { key, value: { stringValue: v } } : { key, value: { intValue: v } };
  const span = (id: string, attrs: object[], over: object = {}) => ({
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: id,
    name: 'llm call',
    kind: 3,
    startTimeUnixNano: String(t0),
    endTimeUnixNano: String(t0 + 1_500_000_000n),
    attributes: attrs,
    ...over,
  });
  const send = (spans: object[]) =>
    c.request('/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceSpans: [
          { resource: { attributes: [kv('service.name', 'py-app')] }, scopeSpans: [{ spans }] },
        ],
      }),
    });

  test('OpenLLMetry, OpenInference and current GenAI spellings map to one LLM request each', async () => {
    const res = await send([
      // OpenLLMetry (Traceloop): gen_ai.system + prompt/completion tokens + older cache spelling
      span('0000000000000001', [
        kv('llm.request.type', 'chat'),
        kv('gen_ai.system', 'OpenAI'),
        kv('gen_ai.request.model', 'gpt-4o-mini'),
        kv('gen_ai.usage.prompt_tokens', 1000),
        kv('gen_ai.usage.completion_tokens', 50),
        kv('gen_ai.usage.cache_read_input_tokens', 400),
        kv('user.id', 'u7'),
        kv('session.id', 's7'),
      ]),
      // OpenInference (Arize)
      span('0000000000000002', [
        kv('openinference.span.kind', 'LLM'),
        kv('llm.provider', 'openai'),
        kv('llm.model_name', 'gpt-4o-mini'),
        kv('llm.token_count.prompt', 10),
        kv('llm.token_count.completion', 20),
      ]),
      // Current GenAI conventions; both spellings present: the current one wins
      span(
        '0000000000000003',
        [
          kv('gen_ai.operation.name', 'chat'),
          kv('gen_ai.provider.name', 'openai'),
          kv('gen_ai.system', 'ignored'),
          kv('gen_ai.request.model', 'gpt-4o-mini'),
          kv('gen_ai.response.model', 'gpt-4o-mini-2024-07-18'),
          kv('gen_ai.usage.input_tokens', 300),
          kv('gen_ai.usage.prompt_tokens', 999),
          kv('gen_ai.usage.output_tokens', 30),
          kv('gen_ai.usage.cache_read.input_tokens', 100),
          kv('gen_ai.conversation.id', 'conv-1'),
          kv('error.type', 'timeout'),
          { key: 'gen_ai.server.time_to_first_token', value: { doubleValue: 0.25 } },
        ],
        { status: { code: 2, message: 'deadline exceeded' } },
      ),
      // Not model calls: an HTTP span and an agent span
      span('0000000000000004', [kv('http.request.method', 'GET')]),
      span('0000000000000005', [
        kv('gen_ai.operation.name', 'invoke_agent'),
        kv('gen_ai.request.model', 'gpt-4o'),
      ]),
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    const stored = await c.collector.context.db.query<any>(
      `SELECT provider, model, input_tokens::int AS input, output_tokens::int AS output, cached_tokens::int AS cached,
              latency_ms, ttft_ms, status, error_type, user_id, session_id, cost_usd, tags->>'span_id' AS span
       FROM llm_requests ORDER BY tags->>'span_id'`,
    );
    expect(stored.map((r: any) => [r.span, r.provider, r.model, r.input, r.output, r.cached])).toEqual([
      ['0000000000000001', 'openai', 'gpt-4o-mini', 1000, 50, 400],
      ['0000000000000002', 'openai', 'gpt-4o-mini', 10, 20, 0],
      ['0000000000000003', 'openai', 'gpt-4o-mini-2024-07-18', 300, 30, 100],
    ]);
    expect(stored[0]).toMatchObject({ user_id: 'u7', session_id: 's7', status: 'ok', latency_ms: 1500 });
    expect(stored[2]).toMatchObject({
      session_id: 'conv-1',
      status: 'error',
      error_type: 'timeout',
      ttft_ms: 250,
    });
    // Cached input tokens are priced at the cached rate: cheaper than the same tokens uncached.
    const prices = new PriceTable();
    const cost = prices.price(
      'openai',
      'gpt-4o-mini',
      { inputTokens: 1000, outputTokens: 50, cachedTokens: 400 },
      new Date(),
    );
    expect(stored[0].cost_usd).toBeCloseTo(cost!.costUsd, 12);
    const uncached = prices.price(
      'openai',
      'gpt-4o-mini',
      { inputTokens: 1000, outputTokens: 50, cachedTokens: 0 },
      new Date(),
    );
    expect(stored[0].cost_usd).toBeLessThan(uncached!.costUsd);
  });

  test('an invalid model-call span is rejected alone and reported in partial success', async () => {
    const before = await storedCounts(c);
    const res = await send([
      span('00000000000000a1', [
        kv('gen_ai.system', 'openai'),
        kv('gen_ai.request.model', 'gpt-4o'),
        kv('gen_ai.usage.input_tokens', -5),
      ]),
      span('00000000000000a2', [
        kv('gen_ai.system', 'openai'),
        kv('gen_ai.request.model', 'gpt-4o'),
        kv('gen_ai.usage.input_tokens', 5),
      ]),
    ]);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.partialSuccess.rejectedSpans).toBe(1);
    expect(body.partialSuccess.errorMessage).toMatch(/input_tokens/);
    expect((await storedCounts(c)).llm_requests).toBe(before.llm_requests + 1);
  });

  test.each([
    ['protobuf garbage', 'application/x-protobuf', Buffer.from([0x0a, 0xff, 0xff, 0xff])],
    ['truncated JSON', 'application/json', '{"resourceSpans": ['],
  ])('%s → 400, nothing stored, still healthy', async (_name, type, body) => {
    const before = await storedCounts(c);
    const res = await c.request('/v1/traces', { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status).toBe(400);
    expect(await storedCounts(c)).toEqual(before);
    expect((await c.get('/health')).status).toBe(200);
  });

  test('a gzip-compressed export is read like a plain one', async () => {
    const body = zlib.gzipSync(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  span('00000000000000b1', [
                    kv('gen_ai.provider.name', 'openai'),
                    kv('gen_ai.request.model', 'gzip-model'),
                    kv('gen_ai.usage.input_tokens', 7),
                  ]),
                ],
              },
            ],
          },
        ],
      }),
    );
    const res = await c.request('/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(200);
    const rows = await c.collector.context.db.query<any>(
      `SELECT input_tokens::int AS n FROM llm_requests WHERE model = 'gzip-model'`,
    );
    expect(rows).toEqual([{ n: 7 }]);
  });

  test('/v1/analyze finds the error spike in LLM usage that arrived as spans', async () => {
    const start = Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000;
    const traffic = llmTraffic({
      provider: 'openai',
      model: 'spans-model',
      buckets: 120,
      start,
      errorRate: (i) => (i < 95 ? 0.01 : 0.3),
    });
    const req = traffic.find((t) => t.name === 'llm_requests')!.points;
    const err = traffic.find((t) => t.name === 'llm_error_rate')!.points;
    const spans = req.flatMap(([ts, n], i) =>
      Array.from({ length: n }, (_, j) => {
        const startNs = BigInt(ts + j) * 1_000_000n;
        const failed = j < Math.round((err[i][1] / 100) * n);
        return {
          traceId: (i * 1000 + j + 1).toString(16).padStart(32, '0'),
          spanId: (i * 1000 + j + 1).toString(16).padStart(16, '0'),
          name: 'chat spans-model',
          startTimeUnixNano: String(startNs),
          endTimeUnixNano: String(startNs + 900_000_000n),
          attributes: [
            kv('gen_ai.operation.name', 'chat'),
            kv('gen_ai.provider.name', 'openai'),
            kv('gen_ai.request.model', 'spans-model'),
            kv('gen_ai.usage.input_tokens', 500),
            kv('gen_ai.usage.output_tokens', 100),
            ...(failed ? [kv('error.type', 'rate_limit')] : []),
          ],
          ...(failed ? { status: { code: 2 } } : {}),
        };
      }),
    );
    for (let i = 0; i < spans.length; i += 2000)
      expect((await send(spans.slice(i, i + 2000))).status).toBe(200);
    const res = await c.request('/v1/analyze', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'llm',
        provider: 'openai',
        model: 'spans-model',
        from: start,
        to: start + 120 * 60_000,
      }),
    });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body.findings.map((f: any) => f.code)).toContain('llm_error_spike');
  });

  test('without the token: 401', async () => {
    const res = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });
});
