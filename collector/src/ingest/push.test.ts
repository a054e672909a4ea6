import net from 'net';
import { ConfigError } from '@aihub/core';
import { TEST_DRIVERS } from '@aihub/core/testing';
import { loadCollectorConfig } from '../config';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { storedCounts } from '../testing/stored-counts';

const T = Date.now() - 60_000;

describe.each(TEST_DRIVERS)('push and read back on %s', (driver) => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ driver });
  });
  afterAll(() => c.stop());

  test('every family is stored under the documented series names and reads back', async () => {
    const res = await c.push({
      system: [
        {
          host: 'gpu-01',
          ts: new Date(T).toISOString(),
          cpu_usage_percent: 41.5,
          memory_usage_percent: 63,
          disk_usage_percent: 71.2,
          load_avg_1m: 1.2,
          network_rx_bytes: 123,
          network_tx_bytes: 456,
          gpus: [
            {
              index: 0,
              utilization_percent: 97,
              memory_used_bytes: 6.2e9,
              memory_total_bytes: 8e9,
              temperature_celsius: 71,
            },
          ],
        },
      ],
      business: [
        {
          name: 'api_usage',
          value: 182,
          unit: 'ms',
          ts: T,
          user_id: 'u1',
          organization_id: 'o1',
          tags: { endpoint: '/chat' },
        },
      ],
      llm: [
        {
          ts: T,
          provider: 'openai',
          model: 'gpt-4o',
          operation: 'chat',
          input_tokens: 812,
          output_tokens: 240,
          latency_ms: 1830,
          ttft_ms: 410,
          status: 'error',
          error_type: 'rate_limit',
          cache_hit: false,
          cost_usd: 0.0061,
          user_id: 'u1',
          session_id: 's9',
        },
      ],
      training: [
        {
          run_id: 'resnet50-lr3e-4',
          ts: T,
          epoch: 15,
          step: 1920,
          metrics: { train_loss: 0.2341, val_loss: 0.2876 },
          model_info: { name: 'ResNet50', parameters: 25557032 },
        },
      ],
      samples: [{ name: 'queue_depth', value: 17, labels: { queue: 'llm' }, ts: T }],
    });
    expect(res).toEqual({ status: 202, body: { accepted: 5 } });

    const read = async (query: string) => {
      const r = await c.get(`/v1/query_range?${query}&from=${T - 1}&to=${T + 1}`);
      expect(r.status).toBe(200);
      return r.body.series as { labels: Record<string, string>; points: [number, number][] }[];
    };
    expect(await read('name=system_cpu_usage_percent&host=gpu-01')).toEqual([
      { name: 'system_cpu_usage_percent', labels: { host: 'gpu-01' }, points: [[T, 41.5]] },
    ]);
    expect((await read('name=system_gpu_temperature_celsius'))[0]).toMatchObject({
      labels: { host: 'gpu-01', gpu: '0' },
      points: [[T, 71]],
    });
    expect((await read('name=system_network_tx_bytes'))[0].points).toEqual([[T, 456]]);
    expect((await read('name=business_api_usage'))[0]).toMatchObject({
      labels: { unit: 'ms', organization_id: 'o1', user_id: 'u1', endpoint: '/chat' },
      points: [[T, 182]],
    });
    expect((await read('name=training_val_loss&run_id=resnet50-lr3e-4'))[0].points).toEqual([[T, 0.2876]]);
    expect((await read('name=training_epoch'))[0].points).toEqual([[T, 15]]);
    expect((await read('name=training_step'))[0].points).toEqual([[T, 1920]]);
    expect((await read('name=queue_depth&queue=llm'))[0].points).toEqual([[T, 17]]);
    const cost = await c.get(
      `/v1/query_range?name=llm_cost_usd&from=${T - 60_000}&to=${T + 60_000}&step=60s`,
    );
    expect(cost.body.series[0].labels).toEqual({ provider: 'openai', model: 'gpt-4o' });
    expect(cost.body.series[0].points[0][1]).toBeCloseTo(0.0061);

    const series = await c.get('/v1/series?name=system_gpu_utilization_percent');
    expect(series.body.series).toEqual([
      { name: 'system_gpu_utilization_percent', labels: { host: 'gpu-01', gpu: '0' } },
    ]);
    const summary = await c.get(`/v1/llm/summary?from=${T - 1}&to=${T + 1}`);
    expect(summary.body.totals).toMatchObject({
      requests: 1,
      errors: 1,
      input_tokens: 812,
      cost_usd: 0.0061,
    });
  });

  test('aggregated queries bucket by step', async () => {
    const base = Math.floor((Date.now() - 600_000) / 60_000) * 60_000;
    await c.push({
      samples: Array.from({ length: 6 }, (_, i) => ({ name: 'agg_test', value: i, ts: base + i * 20_000 })),
    });
    const r = await c.get(`/v1/query_range?name=agg_test&from=${base}&to=${base + 120_000}&step=1m&agg=sum`);
    expect(r.body.series[0].points).toEqual([
      [base, 3],
      [base + 60_000, 12],
    ]);
  });

  test('by aggregates across series in the API too', async () => {
    const base = Math.floor((Date.now() - 900_000) / 60_000) * 60_000;
    await c.push({
      samples: ['u1', 'u2'].flatMap((u, i) => [
        { name: 'by_api', value: 10 + i, labels: { endpoint: '/chat', user_id: u }, ts: base },
        { name: 'by_api', value: 1 + i, labels: { endpoint: '/embed', user_id: u }, ts: base },
      ]),
    });
    const r = await c.get(
      `/v1/query_range?name=by_api&from=${base}&to=${base + 1000}&step=1m&agg=sum&by=endpoint`,
    );
    expect(r.status).toBe(200);
    const got = (r.body.series as { labels: Record<string, string>; points: [number, number][] }[])
      .map((s) => [s.labels.endpoint, s.points[0][1]])
      .sort();
    expect(got).toEqual([
      ['/chat', 21],
      ['/embed', 3],
    ]);
    expect(
      (await c.get(`/v1/query_range?name=by_api&step=1m&agg=rate&by=endpoint`)).body.error.details[0].path,
    ).toBe('agg');
    expect((await c.get(`/v1/query_range?name=by_api&by=bad-label`)).body.error.details[0].path).toBe('by');
  });

  test('query parameters are validated and named', async () => {
    expect((await c.get('/v1/query_range')).body.error.details[0].path).toBe('name');
    expect((await c.get('/v1/query_range?name=x&step=abc')).body.error.details[0].path).toBe('step');
    expect((await c.get('/v1/query_range?name=x&step=1m&agg=median')).body.error.details[0].path).toBe('agg');
    expect((await c.get('/v1/query_range?name=x&from=tomorrow')).body.error.details[0].path).toBe('from');
    expect((await c.get('/v1/query_range?name=x&bad-label=1')).status).toBe(400);
    expect((await c.get('/v1/query_range?name=x&from=10&to=5')).status).toBe(400);
  });

  test('the same Idempotency-Key stores a batch once and answers like the first time', async () => {
    const body = {
      samples: [
        { name: 'idem_http', value: 1, ts: T },
        { name: 'idem_http', value: 2, ts: T + 1 },
      ],
    };
    const first = await c.push(body, { 'idempotency-key': 'abc-123' });
    const before = await storedCounts(c);
    const again = await c.push(body, { 'idempotency-key': 'abc-123' });
    expect(first).toEqual({ status: 202, body: { accepted: 2 } });
    expect(again).toEqual({ status: 202, body: { accepted: 2 } });
    expect(await storedCounts(c)).toEqual(before);
  });
});

describe('admission control', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({
      driver: 'postgres',
      env: { MAX_QUEUE_ROWS: '1000', MAX_INFLIGHT_PUSHES: '2' },
    });
  });
  afterAll(() => c.stop());

  test('a full write queue answers 429 with Retry-After, stores nothing for it, and recovers', async () => {
    const body = {
      samples: Array.from({ length: 1000 }, (_, i) => ({
        name: 'load_test',
        value: i,
        labels: { s: String(i % 50) },
      })),
    };
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        c.request('/v1/push', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses).toContain(429);
    expect(statuses).toContain(202);
    expect(statuses.every((s) => s === 202 || s === 429)).toBe(true);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('overloaded');
    const stored = await c.collector.context.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM metric_samples',
    );
    expect(Number(stored[0].n)).toBe(statuses.filter((s) => s === 202).length * 1000);
    expect((await c.push({ samples: [{ name: 'after', value: 1 }] })).status).toBe(202);
  });
});

describe('a client that disconnects mid-body', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ driver: 'postgres', env: { MAX_INFLIGHT_PUSHES: '1' } });
  });
  afterAll(() => c.stop());

  test('releases its in-flight slot, so the next push is served', async () => {
    const { port } = new URL(c.url);
    for (let i = 0; i < 3; i++) {
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(
            'POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
              `Authorization: Bearer ${TEST_TOKEN}\r\nContent-Length: 100000\r\n\r\n{"samples": [`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 100);
        });
        socket.on('error', reject);
      });
    }
    await new Promise((r) => setTimeout(r, 100));
    expect((await c.push({ samples: [{ name: 'after_abort', value: 1 }] })).status).toBe(202);
  });
});

describe('tokens and the loopback rule', () => {
  test('without tokens the collector refuses to bind a non-loopback address', () => {
    expect(() => loadCollectorConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => loadCollectorConfig({ HOST: '0.0.0.0', AIHUB_TOKENS: 'x' })).not.toThrow();
    expect(() => loadCollectorConfig({ HOST: '127.0.0.1' })).not.toThrow();
  });

  test('without tokens loopback clients are served', async () => {
    const c = await startTestCollector({ driver: 'postgres', env: { AIHUB_TOKENS: '' } });
    try {
      const res = await fetch(c.url + '/v1/series');
      expect(res.status).toBe(200);
    } finally {
      await c.stop();
    }
  });

  test('several tokens are accepted, each exactly', async () => {
    const c = await startTestCollector({
      driver: 'postgres',
      env: { AIHUB_TOKENS: `${TEST_TOKEN}, second-token` },
    });
    try {
      const ok = await fetch(c.url + '/v1/series', { headers: { authorization: 'Bearer second-token' } });
      expect(ok.status).toBe(200);
      const bad = await fetch(c.url + '/v1/series', { headers: { authorization: 'Bearer second-toke' } });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toBe('Bearer');
    } finally {
      await c.stop();
    }
  });
});
