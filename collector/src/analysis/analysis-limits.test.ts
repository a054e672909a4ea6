import net from 'net';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';

// An OpenAI-compatible endpoint with credentials in its URL, on a port nothing listens on.
const SECRET_URL = 'http://svc-user:hunter2@127.0.0.1:9/v1';

/** Issue 11, findings 9 and 10: secrets in URLs stay hidden; heavy analyses have limits. */
describe('analysis limits and secrets in URLs', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({
      env: {
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: SECRET_URL,
        AIHUB_LLM_TIMEOUT: '2s',
        ANALYSIS_MAX_CONCURRENT: '2',
        ANALYSIS_MAX_POINTS: '1000',
      },
    });
  });
  afterAll(() => c.stop());

  const analyze = (body: unknown) =>
    c.request('/v1/analyze', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const series = (n: number) => [
    {
      name: 'training_train_loss',
      labels: { run_id: 'r' },
      points: Array.from({ length: n }, (_, i) => [i * 1000, 1 / (i + 1)]),
    },
  ];

  test('finding 9: credentials of OPENAI_BASE_URL never appear in /v1/assistant/status or llm_error', async () => {
    const status = await (await c.request('/v1/assistant/status')).text();
    const res = await analyze({ kind: 'training', series: series(20) });
    const answer = await res.text();
    expect(res.status).toBe(200);
    expect(answer).toContain('llm_error');
    for (const text of [status, answer]) {
      expect(text).not.toContain('hunter2');
      expect(text).not.toContain('svc-user');
    }
  });

  test('finding 10: more points than the budget is a 413 that says how to send fewer', async () => {
    const res = await analyze({ kind: 'training', series: series(1001) });
    expect(res.status).toBe(413);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { message: string }[] };
    };
    expect(body.error.code).toBe('too_many_points');
    expect(body.error.details[0].message).toMatch(/downsample/);
    expect((await analyze({ kind: 'training', series: series(1000) })).status).toBe(200);
  });

  test('finding 10: beyond the concurrency limit /v1/analyze and /v1/chat answer 429 with Retry-After', async () => {
    const { port } = new URL(c.url);
    // Two analyses whose bodies are still arriving hold both slots.
    const held = ['/v1/analyze', '/v1/chat'].map((path) => {
      const socket = net.connect(Number(port), '127.0.0.1');
      socket.write(
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Authorization: Bearer ${TEST_TOKEN}\r\nContent-Length: 1000\r\n\r\n{"ki`,
      );
      return socket;
    });
    await new Promise((r) => setTimeout(r, 200));
    try {
      for (const path of ['/v1/analyze', '/v1/chat']) {
        const res = await c.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'training',
            series: series(5),
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
        expect(res.status).toBe(429);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('analysis_busy');
      }
    } finally {
      held.forEach((s) => s.destroy());
    }
    await new Promise((r) => setTimeout(r, 200));
    expect((await analyze({ kind: 'training', series: series(5) })).status).toBe(200);
  });
});
