import { storedCounts } from '../testing/stored-counts';
import { startTestCollector, type TestCollector } from '../testing/test-collector';

/**
 * Issue 11, findings 5–8 and 10 on the collector: reserved names, lone surrogates and NUL,
 * strict times, and query budgets — each a 4xx naming the field (or an OTLP partial-success
 * rejection), nothing stored, never a 5xx or a silently merged or moved point.
 */
describe('collector input hardening (issue 11)', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ env: { MAX_QUERY_SERIES: '50', MAX_QUERY_POINTS: '5000' } });
  });
  afterAll(() => c.stop());

  const rawPush = async (text: string) => {
    const res = await c.request('/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    return { status: res.status, body: (await res.json()) as { error: { details: { path: string }[] } } };
  };
  const paths = (r: { body: { error: { details: { path: string }[] } } }) =>
    r.body.error.details.map((d) => d.path);
  const otlp = async (attributes: unknown[], timeUnixNano = `${Date.now()}000000`) => {
    const res = await c.request('/v1/metrics', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'otlp_hardening',
                    gauge: { dataPoints: [{ asDouble: 1, timeUnixNano, attributes }] },
                  },
                ],
              },
            ],
          },
        ],
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  test.each([
    [
      'a __proto__ label',
      '{"samples":[{"name":"m","value":1,"labels":{"__proto__":"x","a":"b"}}]}',
      'samples[0].labels.__proto__',
    ],
    [
      'a constructor tag',
      '{"business":[{"name":"b","value":1,"tags":{"constructor":"x"}}]}',
      'business[0].tags.constructor',
    ],
    [
      'a prototype LLM tag',
      '{"llm":[{"provider":"p","model":"m","tags":{"prototype":"x"}}]}',
      'llm[0].tags.prototype',
    ],
    [
      'training metrics {"__proto__": …}',
      '{"training":[{"run_id":"r","metrics":{"__proto__":{"x":1}}}]}',
      'training[0].metrics.__proto__',
    ],
    [
      'a lone surrogate in a label',
      '{"samples":[{"name":"m","value":1,"labels":{"h":"\\ud800"}}]}',
      'samples[0].labels.h',
    ],
    [
      'a lone surrogate in a tag',
      '{"business":[{"name":"b","value":1,"tags":{"t":"x\\udfff"}}]}',
      'business[0].tags.t',
    ],
    [
      'a lone surrogate in model_info.name',
      '{"training":[{"run_id":"r","metrics":{},"model_info":{"name":"\\ud800"}}]}',
      'training[0].model_info.name',
    ],
    ['NUL in a host', '{"system":[{"host":"a\\u0000b","cpu_usage_percent":1}]}', 'system[0].host'],
    [
      'an impossible date',
      '{"samples":[{"name":"m","value":1,"ts":"2026-02-31T00:00:00Z"}]}',
      'samples[0].ts',
    ],
    ['a negative epoch', '{"samples":[{"name":"m","value":1,"ts":-1}]}', 'samples[0].ts'],
    [
      'labels larger than an index entry',
      JSON.stringify({
        samples: [
          { name: 'm', value: 1, labels: { a: 'x'.repeat(1000), b: 'y'.repeat(1000), c: 'z'.repeat(1000) } },
        ],
      }),
      'samples[0].labels',
    ],
  ])(
    'findings 5, 6, 8: a push with %s is a 400 naming it, and nothing is stored',
    async (_what, body, path) => {
      const before = await storedCounts(c);
      const r = await rawPush(body);
      expect(r.status).toBe(400);
      expect(paths(r)).toContain(path);
      expect(await storedCounts(c)).toEqual(before);
    },
  );

  test('findings 5 and 6: an OTLP attribute named __proto__ or holding a lone surrogate is a rejected point, not a merged one', async () => {
    const before = await storedCounts(c);
    for (const attr of [
      { key: '__proto__', value: { stringValue: 'x' } },
      { key: 'constructor', value: { stringValue: 'x' } },
      { key: 'host', value: { stringValue: 'a\ud800' } },
    ]) {
      const r = await otlp([attr]);
      expect(r.status).toBe(200);
      expect(r.body.partialSuccess).toEqual(expect.objectContaining({ rejectedDataPoints: 1 }));
    }
    expect(await storedCounts(c)).toEqual(before);
  });

  test('finding 8: an OTLP time beyond uint64 is a 400 naming it, never wrapped to 1976', async () => {
    const r = await otlp([], '99999999999999999999999');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('timeUnixNano');
    const series = await c.get('/v1/series?name=otlp_hardening');
    expect(series.body.series).toEqual([]);
  });

  test('finding 5: ?__proto__=x on /v1/series is refused, not ignored', async () => {
    expect((await c.push({ samples: [{ name: 'proto_q', value: 1, labels: { a: '1' } }] })).status).toBe(202);
    const r = await c.get('/v1/series?name=proto_q&__proto__=x');
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('__proto__');
    expect((await c.get('/v1/series?name=proto_q&a=2')).body.series).toEqual([]);
  });

  test.each([
    '/v1/series?tenant=a%00b',
    '/v1/query_range?name=m&from=99999999999999999999&to=999999999999999999999',
    '/v1/llm/summary?from=100000000000000000000&to=100000000000000000001',
    '/v1/training/runs/a%00b',
    '/v1/training/runs/a%00b/metrics',
    '/v1/stream/training?run_id=a%00b&last_event_id=0',
    `/v1/query_range?name=m&step=${'9'.repeat(400)}`,
    '/v1/query_range?name=m&from=-1',
    '/v1/query_range?name=m&from=2026-02-31T00:00:00Z',
    `/v1/query_range?name=m&step=1m&agg=avg&by=${Array.from({ length: 51 }, (_, i) => `l${i}`).join(',')}`,
  ])('findings 7, 8, 10: GET %s is a 400 naming the parameter, not a 500', async (path) => {
    const r = await c.get(path);
    expect(r.status).toBe(400);
    expect(r.body.error.details.length).toBeGreaterThan(0);
  });

  test('finding 10: a query over more series than the budget is a 422 that says how to narrow it', async () => {
    const samples = Array.from({ length: 60 }, (_, i) => ({
      name: 'wide_q',
      value: i,
      labels: { host: `h${i}` },
    }));
    expect((await c.push({ samples })).status).toBe(202);
    const raw = await c.get('/v1/query_range?name=wide_q');
    expect(raw.status).toBe(422);
    expect(raw.body.error.code).toBe('query_too_large');
    expect(raw.body.error.details[0].message).toMatch(/label matchers.*by=/);
    // Narrowed by a matcher, or aggregated with by=, the same data is served.
    expect((await c.get('/v1/query_range?name=wide_q&host=h1')).status).toBe(200);
    expect((await c.get('/v1/query_range?name=wide_q&step=1m&agg=avg&by=')).status).toBe(200);
    // series × steps: 60 series would be within maxSeries of a tighter matcher, but not 1 s steps over a day
    const steps = await c.get(`/v1/query_range?name=wide_q&host=h1&step=1s&from=${Date.now() - 86_400_000}`);
    expect(steps.status).toBe(422);
    expect(steps.body.error.message).toMatch(/steps/);
  });
});
