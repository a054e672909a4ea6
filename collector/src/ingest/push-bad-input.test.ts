import zlib from 'zlib';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { storedCounts } from '../testing/stored-counts';
import { TEST_DRIVERS } from '@aihub/core/testing';

const NOW = Date.now();
const good = { samples: [{ name: 'queue_depth', value: 17, labels: { queue: 'llm' } }] };
const sample = (over: Record<string, unknown>) => ({ samples: [{ name: 'queue_depth', value: 1, ...over }] });
const llm = (over: Record<string, unknown>) => ({
  llm: [{ provider: 'openai', model: 'gpt-4o', input_tokens: 1, output_tokens: 1, ...over }],
});
const system = (over: Record<string, unknown>) => ({ system: [{ host: 'h1', ...over }] });
const training = (over: Record<string, unknown>) => ({
  training: [{ run_id: 'r1', metrics: { train_loss: 0.5 }, ...over }],
});
const manyLabels = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v']));

interface Case {
  name: string;
  body: unknown; // string = raw body
  status: number;
  path: string;
  headers?: Record<string, string>;
  /** send without the bearer token / with a different Authorization header */
  auth?: string | null;
}

const cases: Case[] = [
  // malformed or empty bodies
  { name: 'truncated JSON', body: '{', status: 400, path: '(body)' },
  { name: 'broken array', body: '{"samples": [}', status: 400, path: '(body)' },
  { name: 'not JSON at all', body: 'hello', status: 400, path: '(body)' },
  { name: 'NaN literal', body: '{"samples":[{"name":"a","value":NaN}]}', status: 400, path: '(body)' },
  { name: 'empty body', body: '', status: 400, path: '(body)' },
  { name: 'whitespace body', body: '   \n', status: 400, path: '(body)' },
  // content type and encoding
  {
    name: 'text/plain',
    body: JSON.stringify(good),
    status: 415,
    path: 'Content-Type',
    headers: { 'content-type': 'text/plain' },
  },
  {
    name: 'form encoded',
    body: 'a=1',
    status: 415,
    path: 'Content-Type',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  },
  {
    name: 'unknown encoding',
    body: JSON.stringify(good),
    status: 415,
    path: 'Content-Encoding',
    headers: { 'content-encoding': 'br' },
  },
  {
    name: 'gzip header on plain body',
    body: JSON.stringify(good),
    status: 400,
    path: '(body)',
    headers: { 'content-encoding': 'gzip' },
  },
  // top-level shape and unknown families
  { name: 'array at top level', body: [good], status: 400, path: '(body)' },
  { name: 'null body', body: 'null', status: 400, path: '(body)' },
  { name: 'string body', body: '"samples"', status: 400, path: '(body)' },
  { name: 'family as object', body: { samples: {} }, status: 400, path: 'samples' },
  { name: 'unknown family', body: { metrics: [] }, status: 400, path: 'metrics' },
  { name: 'unknown family beside a good one', body: { ...good, logs: [] }, status: 400, path: 'logs' },
  { name: 'unknown field in an item', body: sample({ foo: 1 }), status: 400, path: 'samples[0].foo' },
  // strings for numbers, non-finite numbers
  { name: 'string value', body: sample({ value: '42' }), status: 400, path: 'samples[0].value' },
  { name: '"NaN" as value', body: sample({ value: 'NaN' }), status: 400, path: 'samples[0].value' },
  { name: '"Infinity" as value', body: sample({ value: 'Infinity' }), status: 400, path: 'samples[0].value' },
  {
    name: 'overflowing number (Infinity)',
    body: '{"samples":[{"name":"a","value":1e400}]}',
    status: 400,
    path: 'samples[0].value',
  },
  {
    name: 'negative overflow',
    body: '{"samples":[{"name":"a","value":-1e400}]}',
    status: 400,
    path: 'samples[0].value',
  },
  {
    name: 'boolean business value',
    body: { business: [{ name: 'api_usage', value: true }] },
    status: 400,
    path: 'business[0].value',
  },
  {
    name: 'string cpu percent',
    body: system({ cpu_usage_percent: '41.5' }),
    status: 400,
    path: 'system[0].cpu_usage_percent',
  },
  {
    name: 'string token count',
    body: llm({ input_tokens: '812' }),
    status: 400,
    path: 'llm[0].input_tokens',
  },
  {
    name: 'string training metric',
    body: training({ metrics: { train_loss: '0.2' } }),
    status: 400,
    path: 'training[0].metrics.train_loss',
  },
  // names and labels
  {
    name: 'name starting with a digit',
    body: sample({ name: '9lives' }),
    status: 400,
    path: 'samples[0].name',
  },
  { name: 'name with a dash', body: sample({ name: 'queue-depth' }), status: 400, path: 'samples[0].name' },
  { name: 'empty name', body: sample({ name: '' }), status: 400, path: 'samples[0].name' },
  {
    name: 'name over 200 characters',
    body: sample({ name: 'a'.repeat(201) }),
    status: 400,
    path: 'samples[0].name',
  },
  {
    name: 'business name with a space',
    body: { business: [{ name: 'api usage', value: 1 }] },
    status: 400,
    path: 'business[0].name',
  },
  {
    name: 'label name with a dash',
    body: sample({ labels: { 'bad-label': 'x' } }),
    status: 400,
    path: 'samples[0].labels.bad-label',
  },
  {
    name: 'training metric key with a dash',
    body: training({ metrics: { 'val-loss': 1 } }),
    status: 400,
    path: 'training[0].metrics.val-loss',
  },
  { name: 'too many labels', body: sample({ labels: manyLabels }), status: 400, path: 'samples[0].labels' },
  {
    name: 'label value over 1024 characters',
    body: sample({ labels: { q: 'x'.repeat(1025) } }),
    status: 400,
    path: 'samples[0].labels.q',
  },
  {
    name: 'numeric label value',
    body: sample({ labels: { q: 1 } }),
    status: 400,
    path: 'samples[0].labels.q',
  },
  {
    name: 'NUL in a label value',
    body: sample({ labels: { q: 'a\u0000b' } }),
    status: 400,
    path: 'samples[0].labels.q',
  },
  // ranges and integers
  {
    name: 'cpu over 100 %',
    body: system({ cpu_usage_percent: 101 }),
    status: 400,
    path: 'system[0].cpu_usage_percent',
  },
  {
    name: 'negative memory percent',
    body: system({ memory_usage_percent: -1 }),
    status: 400,
    path: 'system[0].memory_usage_percent',
  },
  { name: 'negative tokens', body: llm({ input_tokens: -5 }), status: 400, path: 'llm[0].input_tokens' },
  { name: 'fractional tokens', body: llm({ output_tokens: 1.5 }), status: 400, path: 'llm[0].output_tokens' },
  {
    name: 'negative GPU index',
    body: system({ gpus: [{ index: -1 }] }),
    status: 400,
    path: 'system[0].gpus[0].index',
  },
  { name: 'unknown LLM status', body: llm({ status: 'failed' }), status: 400, path: 'llm[0].status' },
  // timestamps
  {
    name: 'epoch ms an hour ahead',
    body: sample({ ts: NOW + 3_600_000 }),
    status: 400,
    path: 'samples[0].ts',
  },
  {
    name: 'RFC 3339 a day ahead',
    body: sample({ ts: new Date(NOW + 86_400_000).toISOString() }),
    status: 400,
    path: 'samples[0].ts',
  },
  {
    name: 'timestamp without zone',
    body: sample({ ts: '2026-01-17 15:00:00' }),
    status: 400,
    path: 'samples[0].ts',
  },
  { name: 'timestamp as a word', body: sample({ ts: 'yesterday' }), status: 400, path: 'samples[0].ts' },
  { name: 'negative epoch', body: sample({ ts: -1 }), status: 400, path: 'samples[0].ts' },
  {
    name: 'impossible date',
    body: sample({ ts: '2026-02-31T25:61:00Z' }),
    status: 400,
    path: 'samples[0].ts',
  },
  // missing required fields
  {
    name: 'LLM item without model',
    body: { llm: [{ provider: 'openai' }] },
    status: 400,
    path: 'llm[0].model',
  },
  {
    name: 'training item without run_id',
    body: { training: [{ metrics: {} }] },
    status: 400,
    path: 'training[0].run_id',
  },
  {
    name: 'system item without host',
    body: { system: [{ cpu_usage_percent: 1 }] },
    status: 400,
    path: 'system[0].host',
  },
  { name: 'sample without value', body: { samples: [{ name: 'a' }] }, status: 400, path: 'samples[0].value' },
  // all-or-nothing: one bad item among good ones
  {
    name: 'one bad sample among 999 good ones',
    body: {
      samples: [
        ...Array.from({ length: 999 }, (_, i) => ({ name: 'ok_metric', value: i })),
        { name: 'bad', value: 'x' },
      ],
    },
    status: 400,
    path: 'samples[999].value',
  },
  {
    name: 'too many items',
    body: { samples: Array.from({ length: 50_001 }, () => ({ name: 'a', value: 1 })) },
    status: 400,
    path: 'samples',
  },
  // headers
  {
    name: 'oversized Idempotency-Key',
    body: good,
    status: 400,
    path: 'Idempotency-Key',
    headers: { 'idempotency-key': 'k'.repeat(201) },
  },
  // authentication
  { name: 'missing token', body: good, status: 401, path: '', auth: null },
  { name: 'wrong token', body: good, status: 401, path: '', auth: 'Bearer nope' },
  { name: 'basic auth instead of bearer', body: good, status: 401, path: '', auth: 'Basic dGVzdDp0ZXN0' },
];

describe.each(TEST_DRIVERS)('bad input on %s', (driver) => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ driver, env: { MAX_BODY_BYTES: String(4 * 1024 * 1024) } });
  });
  afterAll(() => c.stop());

  test('the suite has at least 40 bad payloads', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases)('$name → $status naming "$path", nothing stored', async (tc) => {
    const before = await storedCounts(c);
    const headers: Record<string, string> = { 'content-type': 'application/json', ...tc.headers };
    if (tc.auth !== undefined) {
      if (tc.auth === null) headers.authorization = '';
      else headers.authorization = tc.auth;
    }
    const res = await fetch(c.url + '/v1/push', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKEN}`, ...headers },
      body: typeof tc.body === 'string' ? tc.body : JSON.stringify(tc.body),
    });
    expect(res.status).toBe(tc.status);
    const json = (await res.json()) as {
      error: { code: string; message: string; details: { path: string }[] };
    };
    expect(typeof json.error.code).toBe('string');
    expect(json.error.message.length).toBeGreaterThan(0);
    if (tc.path) expect(json.error.details.map((d) => d.path)).toContain(tc.path);
    expect(await storedCounts(c)).toEqual(before);
  });

  test('a body over the limit gets 413, also when gzip hides its size', async () => {
    const big = JSON.stringify({
      samples: Array.from({ length: 120_000 }, (_, i) => ({
        name: 'a',
        value: i,
        labels: { pad: 'x'.repeat(20) },
      })),
    });
    expect(big.length).toBeGreaterThan(4 * 1024 * 1024);
    const before = await storedCounts(c);
    const plain = await c.request('/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(plain.status).toBe(413);
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    const gz = await c.request('/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(gz.status).toBe(413);
    expect(((await gz.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
    expect(await storedCounts(c)).toEqual(before);
  });

  test('after all that the service is healthy and takes a good gzip push', async () => {
    expect((await fetch(c.url + '/health')).status).toBe(200);
    const res = await c.request('/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: zlib.gzipSync(JSON.stringify(good)),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
  });
});
