/* eslint-disable @typescript-eslint/no-explicit-any -- rows read back from storage */
import OpenAI from 'openai';
import { instrumentOpenAI, PushClient } from './index';
import { startTestCollector, type TestCollector } from '../../collector/src/testing/test-collector';
import { startOpenAiTestServer, TEST_LLM_ERRORS, type OpenAiTestServer } from '@aihub/core/testing';

async function llmRows(c: TestCollector, model: string) {
  return c.collector.context.db.query<any>(
    `SELECT provider, model, operation, input_tokens::int AS input_tokens, output_tokens::int AS output_tokens,
            cached_tokens::int AS cached_tokens, latency_ms, ttft_ms, status, error_type, user_id
     FROM llm_requests WHERE model = $1 ORDER BY time`,
    [model],
  );
}

describe('instrumentOpenAI with the real OpenAI SDK, a local OpenAI-compatible server and a real collector', () => {
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

  function setup() {
    const push = new PushClient({ url: c.url, token: 't', flushIntervalMs: 60_000 });
    const openai = instrumentOpenAI(
      new OpenAI({ baseURL: llm.baseURL, apiKey: 'test', maxRetries: 0 }),
      push,
      {
        attributes: { user_id: 'u1' },
      },
    );
    return { push, openai };
  }

  test('a non-streaming completion records the usage the server reported', async () => {
    const { push, openai } = setup();
    llm.enqueue({
      type: 'stream',
      chunks: ['Hello', ' world'],
      usage: { prompt_tokens: 321, completion_tokens: 12 },
    });
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.choices[0].message.content).toBe('Hello world');
    await push.close();
    const [row] = await llmRows(c, 'gpt-4o-mini');
    expect(row).toMatchObject({
      provider: 'openai_compatible',
      operation: 'chat',
      input_tokens: 321,
      output_tokens: 12,
      status: 'ok',
      error_type: null,
      ttft_ms: null,
      user_id: 'u1',
    });
    expect(Number(row.latency_ms)).toBeGreaterThan(0);
  });

  test('a streaming completion records usage (asked for automatically), TTFT and latency; the caller sees only its chunks', async () => {
    const { push, openai } = setup();
    llm.enqueue({
      type: 'stream',
      chunks: ['a', 'b', 'c'],
      chunkDelayMs: 30,
      usage: { prompt_tokens: 50, completion_tokens: 3, cached_tokens: 20 },
    });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.choices).toHaveLength(1); // no usage-only chunk leaks to the caller
      text += chunk.choices[0].delta.content ?? '';
    }
    expect(text).toBe('abc');
    expect(chunks).toBe(5); // role chunk, three pieces, finish chunk
    expect(llm.chatRequests().at(-1)!.body.stream_options).toEqual({ include_usage: true });
    await push.close();
    const [row] = await llmRows(c, 'gpt-4o');
    expect(row).toMatchObject({ input_tokens: 50, output_tokens: 3, cached_tokens: 20, status: 'ok' });
    expect(Number(row.ttft_ms)).toBeGreaterThanOrEqual(25);
    expect(Number(row.latency_ms)).toBeGreaterThan(Number(row.ttft_ms));
  });

  test('a caller that asked for usage itself still gets the usage chunk', async () => {
    const { push, openai } = setup();
    llm.enqueue({ type: 'stream', chunks: ['x'], usage: { prompt_tokens: 9, completion_tokens: 1 } });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4.1',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'hi' }],
    });
    const usage = [];
    for await (const chunk of stream) if (chunk.usage) usage.push(chunk.usage.prompt_tokens);
    expect(usage).toEqual([9]);
    await push.close();
    expect((await llmRows(c, 'gpt-4.1'))[0]).toMatchObject({ input_tokens: 9, output_tokens: 1 });
  });

  test('errors are recorded with their type and still thrown to the caller', async () => {
    const { push, openai } = setup();
    llm.enqueue(TEST_LLM_ERRORS.rateLimited(1), TEST_LLM_ERRORS.contextLength());
    await expect(
      openai.chat.completions.create({ model: 'err-model', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toThrow(/Rate limit/);
    await expect(
      openai.chat.completions.create({
        model: 'err-model',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toThrow(/maximum context length/);
    await push.close();
    const rows = await llmRows(c, 'err-model');
    expect(rows.map((r) => [r.status, r.error_type])).toEqual([
      ['error', 'rate_limit'],
      ['error', 'context_length_exceeded'],
    ]);
  });
});
