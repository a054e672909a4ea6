import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { storedCounts } from '../testing/stored-counts';
import { expectSameErrorsInBothLanes, type BadRequest } from '../testing/fast-lane-parity';

// `POST /v1/push` exactly is served before express (the fast lane); every other spelling
// express routes to the push (a query string, a trailing slash, other case) goes through
// express and its middleware. Both must answer alike.
const FAST_LANE = '/v1/push';
const THROUGH_EXPRESS = ['/v1/push?source=agent', '/v1/push/', '/V1/Push'];

describe('the push answers the same in the fast lane and through express', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ driver: 'pglite' });
  });
  afterAll(() => c.stop());

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${c.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}`, ...headers },
      body,
    });
  const samples = (n: number, name: string) =>
    JSON.stringify({
      samples: Array.from({ length: n }, (_, i) => ({ name, value: i, labels: { i: String(i) } })),
    });

  /** Status, the headers a client reads, and the JSON body of one answer. */
  const answer = async (res: Response) => ({
    status: res.status,
    type: res.headers.get('content-type'),
    authenticate: res.headers.get('www-authenticate'),
    replayed: res.headers.get('idempotent-replayed'),
    body: (await res.json()) as { accepted?: number; error?: { code: string; details: unknown } },
  });

  test.each([FAST_LANE, ...THROUGH_EXPRESS])('%s: 202 with the count, once committed', async (path) => {
    const before = await storedCounts(c);
    const res = await answer(await post(path, samples(3, `spelling_${path.length}`)));
    expect(res).toEqual({
      status: 202,
      type: 'application/json; charset=utf-8',
      authenticate: null,
      replayed: null,
      body: { accepted: 3 },
    });
    const after = await storedCounts(c);
    expect(after.metric_samples - before.metric_samples).toBe(3);
  });

  test('errors: the same status, headers and body on both paths, and nothing stored', async () => {
    const cases: BadRequest[] = [
      ['no token', (p) => post(p, samples(1, 'e'), { authorization: '' })],
      ['wrong token', (p) => post(p, samples(1, 'e'), { authorization: 'Bearer nope' })],
      ['wrong content type', (p) => post(p, samples(1, 'e'), { 'content-type': 'text/plain' })],
      ['bad Idempotency-Key', (p) => post(p, samples(1, 'e'), { 'idempotency-key': 'has space' })],
      ['malformed JSON', (p) => post(p, '{"samples": [')],
      ['invalid sample', (p) => post(p, JSON.stringify({ samples: [{ name: 'e', value: 'x' }] }))],
    ];
    const answers = await expectSameErrorsInBothLanes(
      c,
      { fastLane: FAST_LANE, throughExpress: THROUGH_EXPRESS },
      cases,
      answer,
    );
    for (const fast of answers) expect(typeof fast.body.error?.code).toBe('string');
  });

  test('a 401 names the scheme; an invalid header is named', async () => {
    const denied = await answer(await post(FAST_LANE, samples(1, 'a'), { authorization: 'Bearer nope' }));
    expect(denied.status).toBe(401);
    expect(denied.authenticate).toBe('Bearer');
    const badKey = await answer(await post(FAST_LANE, samples(1, 'a'), { 'idempotency-key': 'has space' }));
    expect(badKey.status).toBe(400);
    expect(badKey.body.error?.details).toEqual([{ path: 'Idempotency-Key', message: 'invalid' }]);
  });

  test('a retried Idempotency-Key is stored once and replayed, across the two paths', async () => {
    const body = samples(2, 'idem');
    const first = await answer(await post(FAST_LANE, body, { 'idempotency-key': 'fast-lane-1' }));
    const before = await storedCounts(c);
    const again = await answer(await post(FAST_LANE, body, { 'idempotency-key': 'fast-lane-1' }));
    const viaExpress = await answer(
      await post(THROUGH_EXPRESS[0], body, { 'idempotency-key': 'fast-lane-1' }),
    );
    expect(first).toMatchObject({ status: 202, replayed: null, body: { accepted: 2 } });
    expect(again).toMatchObject({ status: 202, replayed: 'true', body: { accepted: 2 } });
    expect(viaExpress).toEqual(again);
    expect(await storedCounts(c)).toEqual(before);
  });

  test('other methods on the path are not pushes', async () => {
    const res = await c.request(FAST_LANE);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});

describe('the fast lane keeps the loopback rule', () => {
  test('without tokens a loopback client is served', async () => {
    const c = await startTestCollector({ driver: 'pglite', env: { AIHUB_TOKENS: '' } });
    try {
      const res = await fetch(`${c.url}${FAST_LANE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ samples: [{ name: 'loopback', value: 1 }] }),
      });
      expect(res.status).toBe(202);
    } finally {
      await c.stop();
    }
  });
});
