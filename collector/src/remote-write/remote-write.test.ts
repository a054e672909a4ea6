/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import snappy from 'snappy';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { storedCounts } from '../testing/stored-counts';
import { expectSameErrorsInBothLanes, type BadRequest } from '../testing/fast-lane-parity';
import { encodeWriteRequest, remoteSeries as series, type WriteRequestSeries } from '@aihub/core/testing';

const NOW = Date.now();
const snappyBody = (s: WriteRequestSeries[]) => snappy.compressSync(encodeWriteRequest(s));

const HEADERS = {
  'content-type': 'application/x-protobuf',
  'content-encoding': 'snappy',
  'x-prometheus-remote-write-version': '0.1.0',
};

async function write(c: TestCollector, body: Buffer | string, headers: Record<string, string> = HEADERS) {
  const res = await c.request('/api/v1/write', { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function points(c: TestCollector, name: string, labels: Record<string, string> = {}) {
  const q = new URLSearchParams({ name, from: String(NOW - 3_600_000), to: String(NOW + 60_000), ...labels });
  const { body } = await c.get(`/v1/query_range?${q}`);
  return body.series.map((s: any) => ({ labels: s.labels, points: s.points }));
}

describe('Prometheus remote write (POST /api/v1/write)', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(() => c.stop());

  test('series arrive under __name__ with every other label; empty labels and stale NaN are dropped', async () => {
    const stale = Buffer.from('7ff0000000000002', 'hex').readDoubleBE(0); // Prometheus' stale marker
    const res = await write(
      c,
      snappyBody([
        series('node_load1', { job: 'node', instance: 'h1:9100', empty: '' }, [
          [NOW - 30_000, 0.5],
          [NOW - 15_000, 0.75],
          [NOW - 1_000, stale],
        ]),
        series('node_cpu_seconds_total', { job: 'node', cpu: '0', mode: 'idle' }, [[NOW - 15_000, 1234.5]]),
      ]),
    );
    expect(res.status).toBe(204);
    expect(await points(c, 'node_load1')).toEqual([
      {
        labels: { job: 'node', instance: 'h1:9100' },
        points: [
          [NOW - 30_000, 0.5],
          [NOW - 15_000, 0.75],
        ],
      },
    ]);
    expect(await points(c, 'node_cpu_seconds_total', { mode: 'idle' })).toEqual([
      { labels: { job: 'node', cpu: '0', mode: 'idle' }, points: [[NOW - 15_000, 1234.5]] },
    ]);
    const { body } = await c.get('/v1/series?name=node_load1');
    expect(JSON.stringify(body)).toContain('h1:9100');
  });

  test('native histograms are stored as <name>_count and <name>_sum, like OTLP exponential histograms', async () => {
    const h = {
      ...series('rpc_latency_seconds', { job: 'api' }, []),
      histograms: [{ count: 42, sum: 3.25, timestampMs: NOW - 5_000 }],
    };
    expect((await write(c, snappyBody([h]))).status).toBe(204);
    expect(await points(c, 'rpc_latency_seconds_count')).toEqual([
      { labels: { job: 'api' }, points: [[NOW - 5_000, 42]] },
    ]);
    expect(await points(c, 'rpc_latency_seconds_sum')).toEqual([
      { labels: { job: 'api' }, points: [[NOW - 5_000, 3.25]] },
    ]);
  });

  const bad: {
    name: string;
    body: () => Buffer | string;
    status: number;
    code: string;
    path: RegExp;
    headers?: any;
  }[] = [
    {
      name: 'a body that is not snappy',
      body: () => Buffer.from('hello, not snappy'),
      status: 400,
      code: 'bad_encoding',
      path: /\(body\)/,
    },
    {
      name: 'a truncated snappy body',
      body: () => snappyBody([series('a_metric', {}, [[NOW, 1]])]).subarray(0, 12),
      status: 400,
      code: 'bad_encoding',
      path: /\(body\)/,
    },
    {
      name: 'snappy around bytes that are not a WriteRequest',
      body: () => snappy.compressSync(Buffer.from([0x0a, 0xff, 0xff, 0x01, 0x02])),
      status: 400,
      code: 'malformed_protobuf',
      path: /\(body\)/,
    },
    {
      name: 'a bad label name',
      body: () =>
        snappyBody([
          series('ok_metric', { job: 'x' }, [[NOW, 1]]),
          series('ok_metric', { 'bad-label': 'x' }, [[NOW, 1]]),
        ]),
      status: 400,
      code: 'invalid_series',
      path: /^timeseries\[1\]\.labels\.bad-label$/,
    },
    {
      name: 'a bad metric name',
      body: () => snappyBody([series('9starts_with_digit', {}, [[NOW, 1]])]),
      status: 400,
      code: 'invalid_series',
      path: /^timeseries\[0\]\.labels\.__name__$/,
    },
    {
      name: 'a series without __name__',
      body: () =>
        snappyBody([{ labels: [{ name: 'job', value: 'x' }], samples: [{ value: 1, timestampMs: NOW }] }]),
      status: 400,
      code: 'invalid_series',
      path: /^timeseries\[0\]\.labels\.__name__$/,
    },
    {
      name: 'a NUL byte in a label value',
      body: () => snappyBody([series('ok_metric', { job: 'a\u0000b' }, [[NOW, 1]])]),
      status: 400,
      code: 'invalid_series',
      path: /^timeseries\[0\]\.labels\.job$/,
    },
    {
      name: 'a timestamp far in the future',
      body: () => snappyBody([series('ok_metric', {}, [[NOW + 86_400_000, 1]])]),
      status: 400,
      code: 'invalid_series',
      path: /^timeseries\[0\]\.samples\.timestamp$/,
    },
    {
      name: 'a body decompressing past MAX_BODY_BYTES',
      body: () => snappy.compressSync(Buffer.alloc(11 * 1024 * 1024)),
      status: 413,
      code: 'body_too_large',
      path: /\(body\)/,
    },
    {
      name: 'no Content-Encoding: snappy',
      body: () => encodeWriteRequest([series('ok_metric', {}, [[NOW, 1]])]),
      status: 415,
      code: 'unsupported_encoding',
      path: /Content-Encoding/,
      headers: { 'content-type': 'application/x-protobuf' },
    },
    {
      name: 'a remote write 2.0 request (the sender falls back to 1.0 on 415)',
      body: () => snappyBody([series('ok_metric', {}, [[NOW, 1]])]),
      status: 415,
      code: 'unsupported_media_type',
      path: /Content-Type/,
      headers: {
        'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
        'content-encoding': 'snappy',
      },
    },
    {
      name: 'a JSON body',
      body: () => '{"samples":[]}',
      status: 415,
      code: 'unsupported_media_type',
      path: /Content-Type/,
      headers: { 'content-type': 'application/json', 'content-encoding': 'snappy' },
    },
  ];

  test.each(bad)('$name → $status $code, names the field, stores nothing', async (t) => {
    const before = await storedCounts(c);
    const res = await write(c, t.body(), t.headers ?? HEADERS);
    expect(res.status).toBe(t.status);
    expect(res.body.error.code).toBe(t.code);
    expect(res.body.error.message).toEqual(expect.any(String));
    expect(res.body.error.details.map((d: any) => d.path)).toContainEqual(expect.stringMatching(t.path));
    expect(await storedCounts(c)).toEqual(before);
    expect((await c.get('/health')).status).toBe(200);
  });

  test('an oversized request body is refused with 413 before it is read', async () => {
    const res = await write(c, Buffer.alloc(11 * 1024 * 1024, 1));
    expect(res.status).toBe(413);
  });

  test('without the token: 401', async () => {
    const res = await fetch(`${c.url}/api/v1/write`, {
      method: 'POST',
      headers: HEADERS,
      body: snappyBody([series('ok_metric', {}, [[NOW, 1]])]),
    });
    expect(res.status).toBe(401);
  });
});

describe('the cardinality guard (MAX_SERIES)', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ env: { MAX_SERIES: '50' } });
  });
  afterAll(() => c.stop());

  test('a flood of new series past MAX_SERIES gets 400 and a counter; existing series keep flowing', async () => {
    const known = Array.from({ length: 40 }, (_, i) =>
      series('gpu_util', { gpu: String(i) }, [[NOW - 60_000, i]]),
    );
    expect((await write(c, snappyBody(known))).status).toBe(204);

    const before = await storedCounts(c);
    const flood = Array.from({ length: 20 }, (_, i) =>
      series('flood_metric', { id: String(i) }, [[NOW - 60_000, i]]),
    );
    const refused = await write(c, snappyBody(flood));
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('series_limit_exceeded');
    expect(refused.body.error.message).toMatch(/MAX_SERIES/);
    expect(refused.body.error.details[0].message).toMatch(/flood_metric\{id="\d+"\}/);
    expect(await storedCounts(c)).toEqual(before);
    // The JSON push meets the same guard.
    const pushed = await c.push({
      samples: flood.map((_, i) => ({ name: 'flood_json', value: 1, labels: { id: String(i) } })),
    });
    expect(pushed.status).toBe(400);
    expect(pushed.body.error.code).toBe('series_limit_exceeded');

    // Known series still flow, and a few new ones fit under the limit.
    const more = known.map((s) => ({ ...s, samples: [{ timestampMs: NOW - 30_000, value: 1 }] }));
    expect((await write(c, snappyBody(more))).status).toBe(204);
    expect((await write(c, snappyBody(flood.slice(0, 10)))).status).toBe(204);
    expect((await write(c, snappyBody(flood.slice(10, 11)))).status).toBe(400);
    expect((await points(c, 'gpu_util', { gpu: '7' }))[0].points).toHaveLength(2);

    const metrics = await (await c.request('/metrics')).text();
    expect(metrics).toMatch(/aihub_ingest_rejected_total\{[^}]*reason="series_limit"[^}]*\} [1-9]/);
    expect((await c.get('/health')).status).toBe(200);
  });
});

describe('remote write under load', () => {
  let c: TestCollector;
  beforeAll(async () => {
    // PostgreSQL commits off the event loop, so requests arrive while a commit is in flight.
    c = await startTestCollector({ driver: 'postgres', env: { MAX_QUEUE_ROWS: '1000' } });
  });
  afterAll(() => c.stop());

  test('a full write queue answers 429 with Retry-After (Prometheus retries it); what got 204 is stored', async () => {
    const body = (k: number) =>
      snappyBody(
        Array.from({ length: 100 }, (_, s) =>
          series(
            'load_metric',
            { s: String(s) },
            Array.from({ length: 10 }, (_, i): [number, number] => [NOW - 60_000 + k * 10 + i, k]),
          ),
        ),
      );
    const answers = await Promise.all(Array.from({ length: 24 }, (_, k) => write(c, body(k))));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 204 || s === 429)).toBe(true);
    expect(statuses).toContain(429);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.error.code).toBe('overloaded');
    const stored = await c.collector.context.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM metric_samples s JOIN metric_series m ON m.id = s.series_id WHERE m.name = 'load_metric'`,
    );
    expect(Number(stored[0].n)).toBe(statuses.filter((s) => s === 204).length * 1000);
  });
});

// `POST /api/v1/write` exactly (Prometheus's spelling) is served before express; other
// spellings express routes there go through express. Both must answer alike.
describe('remote write answers the same in the fast lane and through express', () => {
  const FAST_LANE = '/api/v1/write';
  const THROUGH_EXPRESS = ['/api/v1/write?tenant=a', '/api/v1/write/'];
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ driver: 'pglite' });
  });
  afterAll(() => c.stop());

  const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}) =>
    fetch(`${c.url}${path}`, {
      method: 'POST',
      headers: { ...HEADERS, authorization: `Bearer ${TEST_TOKEN}`, ...headers },
      body,
    });
  const answer = async (res: Response) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    authenticate: res.headers.get('www-authenticate'),
    retryAfter: res.headers.get('retry-after'),
    body: await res.text(),
  });

  test.each([FAST_LANE, ...THROUGH_EXPRESS])('%s: 204 once committed', async (path) => {
    const before = await storedCounts(c);
    const res = await answer(
      await post(path, snappyBody([series(`lane_${path.length}`, { job: 'j' }, [[NOW - 1_000, 1]])])),
    );
    expect(res).toEqual({ status: 204, type: null, authenticate: null, retryAfter: null, body: '' });
    expect((await storedCounts(c)).metric_samples - before.metric_samples).toBe(1);
  });

  test('errors: the same status, headers and body on both paths, and nothing stored', async () => {
    const good = snappyBody([series('lane_error', { job: 'j' }, [[NOW - 1_000, 1]])]);
    const cases: BadRequest[] = [
      ['no token', (p) => post(p, good, { authorization: '' })],
      ['wrong token', (p) => post(p, good, { authorization: 'Bearer nope' })],
      ['wrong content type', (p) => post(p, good, { 'content-type': 'application/json' })],
      ['not snappy', (p) => post(p, good, { 'content-encoding': 'gzip' })],
      ['corrupt snappy', (p) => post(p, Buffer.from('not snappy at all'))],
      ['bad metric name', (p) => post(p, snappyBody([series('9bad', {}, [[NOW - 1_000, 1]])]))],
    ];
    await expectSameErrorsInBothLanes(
      c,
      { fastLane: FAST_LANE, throughExpress: THROUGH_EXPRESS },
      cases,
      answer,
    );
  });

  test('GET is not a write', async () => {
    const res = await fetch(`${c.url}${FAST_LANE}`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    expect(res.status).toBe(404);
  });
});
