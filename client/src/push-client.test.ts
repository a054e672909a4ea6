import { PushClient, type PushError } from './index';
import { startTestCollector, type TestCollector } from '../../collector/src/testing/test-collector';
import { startFaultProxy, type FaultProxy } from './testing/fault-proxy';
import { parseRetryAfter, retryDelay } from './retry-policy';

const TOKEN = 't';

async function count(c: TestCollector, name: string): Promise<number> {
  const [row] = await c.collector.context.db.query<{ n: string | number }>(
    'SELECT count(*) AS n FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.name = $1',
    [name],
  );
  return Number(row.n);
}

describe('PushClient against a real collector', () => {
  let c: TestCollector;
  let proxy: FaultProxy;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(() => c.stop());
  beforeEach(async () => {
    proxy = await startFaultProxy(c.url);
  });
  afterEach(() => proxy.close());

  test('503 twice, then a timeout after the collector committed: every sample is stored exactly once', async () => {
    proxy.enqueue(
      { type: 'status', status: 503 },
      { type: 'status', status: 503 },
      { type: 'pass-then-hang' },
    );
    const push = new PushClient({
      url: proxy.url,
      token: TOKEN,
      initialBackoffMs: 20,
      requestTimeoutMs: 1000,
      random: () => 0.5,
    });
    for (let i = 0; i < 50; i++) push.sample({ name: 'exactly_once', value: i, labels: { i: String(i) } });
    await push.close();
    expect(proxy.requests.map((r) => r.step)).toEqual(['status', 'status', 'pass-then-hang', 'pass']);
    const keys = new Set(proxy.requests.map((r) => r.idempotencyKey));
    expect(keys.size).toBe(1); // one key per batch, kept across retries
    expect(await count(c, 'exactly_once')).toBe(50);
    expect(push.stats()).toMatchObject({ sent: 50, failed: 0, retries: 3, batches: 1, buffered: 0 });
  });

  test('batches by size and by time, each batch with its own key', async () => {
    const push = new PushClient({ url: proxy.url, token: TOKEN, maxBatchItems: 100, flushIntervalMs: 50 });
    for (let i = 0; i < 250; i++) push.sample({ name: 'batched', value: i });
    await push.flush();
    expect(proxy.requests).toHaveLength(3);
    push.sample({ name: 'batched_by_time', value: 1 });
    const deadline = Date.now() + 5000;
    while (proxy.requests.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(proxy.requests).toHaveLength(4); // sent by the timer, without flush()
    expect(new Set(proxy.requests.map((r) => r.idempotencyKey)).size).toBe(4);
    await push.close();
    expect(await count(c, 'batched')).toBe(250);
  });

  test('429 with Retry-After is honoured before the retry', async () => {
    proxy.enqueue({ type: 'status', status: 429, retryAfter: '1' });
    const push = new PushClient({ url: proxy.url, token: TOKEN, initialBackoffMs: 1 });
    push.sample({ name: 'after_429', value: 1 });
    await push.close();
    expect(proxy.requests).toHaveLength(2);
    expect(proxy.requests[1].receivedAt - proxy.requests[0].receivedAt).toBeGreaterThanOrEqual(950);
    expect(await count(c, 'after_429')).toBe(1);
  });

  test('a refused batch (400) is not retried and is reported; invalid data never blocks later batches', async () => {
    const errors: PushError[] = [];
    const push = new PushClient({
      url: proxy.url,
      token: TOKEN,
      onError: (e) => errors.push(e),
      maxBatchItems: 1,
    });
    push.sample({ name: 'bad name!', value: 1 });
    push.sample({ name: 'good_after_bad', value: 2 });
    await push.close();
    expect(errors).toHaveLength(1);
    expect(errors[0].status).toBe(400);
    expect(push.stats()).toMatchObject({ sent: 1, failed: 1, retries: 0 });
    expect(await count(c, 'good_after_bad')).toBe(1);
  });

  test('bounded memory: beyond maxBufferedItems the oldest items are dropped and counted', async () => {
    proxy.enqueue(...Array.from({ length: 3 }, () => ({ type: 'status' as const, status: 503 })));
    const push = new PushClient({
      url: proxy.url,
      token: TOKEN,
      maxBatchItems: 5,
      maxBufferedItems: 10,
      initialBackoffMs: 100,
      random: () => 0,
    });
    for (let i = 0; i < 5; i++) push.sample({ name: 'bounded', value: i }); // first batch, stuck retrying
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 5; i < 30; i++) push.sample({ name: 'bounded', value: i });
    expect(push.stats().dropped).toBe(15);
    await push.close();
    const { body } = await c.get('/v1/query_range?name=bounded&from=0');
    const stored = body.series[0].points.map((p: number[]) => p[1]).sort((a: number, b: number) => a - b);
    expect(stored).toEqual([0, 1, 2, 3, 4, ...Array.from({ length: 10 }, (_, i) => 20 + i)]);
    expect(push.stats()).toMatchObject({ sent: 15, dropped: 15 });
  });

  test('gzip for large bodies; items keep the time they were recorded', async () => {
    const push = new PushClient({ url: c.url, token: TOKEN, gzipAboveBytes: 100, flushIntervalMs: 60_000 });
    const ts = Date.now() - 5000;
    push.business({
      name: 'api_usage',
      value: 182,
      unit: 'ms',
      ts,
      tags: { endpoint: '/chat'.padEnd(200, 'x') },
    });
    await push.close();
    const { body } = await c.get(`/v1/query_range?name=business_api_usage&from=0`);
    expect(body.series[0].points).toEqual([[ts, 182]]);
    expect(() => push.sample({ name: 'late', value: 1 })).toThrow(/closed/);
  });
});

describe('retry policy', () => {
  test('Retry-After as seconds or an HTTP date; exponential backoff with equal jitter, capped', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    const p = { maxRetries: 5, initialBackoffMs: 100, maxBackoffMs: 1000, maxRetryAfterMs: 5000 };
    expect(retryDelay(p, 0, undefined, () => 0)).toBe(50);
    expect(retryDelay(p, 3, undefined, () => 1)).toBe(800);
    expect(retryDelay(p, 10, undefined, () => 1)).toBe(1000);
    expect(retryDelay(p, 0, 60_000, () => 0)).toBe(5000);
  });
});
