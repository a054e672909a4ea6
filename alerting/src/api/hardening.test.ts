import net from 'net';
import { createMemoryLogger, type Database } from '@aihub/core';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from '../config/load';
import { createAlerting, type Alerting } from '../service';

/** Issue 11: the alerting API validates whole objects before writing and reads defensively. */
describe('alerting API hardening (issue 11)', () => {
  let storage: TestStorage;
  let db: Database;
  let alerting: Alerting;
  let url: string;
  const logger = createMemoryLogger();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read JSON answers
  ): Promise<{ status: number; json: any }> => {
    const res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const paths = (r: { json: { error: { details: { path: string }[] } } }) =>
    r.json.error.details.map((d) => d.path);
  const count = async (table: string) =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0].n);
  const rule = (extra: Record<string, unknown>) => ({
    name: 'r1',
    type: 'threshold',
    metric: 'm',
    op: '>',
    threshold: 1,
    ...extra,
  });

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    db = await storage.openMigrated();
    alerting = createAlerting({
      config: parseAlertingConfig('evaluation_interval: 1h\n', {}),
      db,
      port: 0,
      logger,
      handleSignals: false,
      autoRun: false,
      bodyIdleTimeoutMs: 500,
    });
    url = (await alerting.start()).url;
  });
  afterAll(async () => {
    await alerting.stop();
    await db.close();
    await storage.cleanup();
  });

  test('finding 3: a silence ending in the year 287,000 is a 400 and nothing is stored', async () => {
    const before = await count('silences');
    const r = await call('POST', '/v1/silences', {
      matchers: [{ name: 'host', value: 'a' }],
      ends_at: 9_000_000_000_000_000,
      created_by: 'me',
    });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['ends_at']);
    expect(await count('silences')).toBe(before);
    expect((await call('GET', '/v1/silences')).status).toBe(200);
  });

  test.each([
    ['a 400-digit window', { window: `${'9'.repeat(400)}s` }, 'window'],
    ['a window of 1e308 seconds', { window: 1e308 }, 'window'],
    [
      'a divide_by offset of 400 digits',
      { divide_by: { offset: `${'9'.repeat(400)}s` } },
      'divide_by.offset',
    ],
    ['a 300 KB name', { name: 'n'.repeat(300_000) }, 'name'],
  ])(
    'finding 3: a rule with %s is a 400, not stored, and does not block its name',
    async (_what, extra, path) => {
      const r = await call('POST', '/v1/rules', rule(extra));
      expect(r.status).toBe(400);
      expect(paths(r)).toContain(path);
      expect((await call('GET', '/v1/rules/r1')).status).toBe(404);
    },
  );

  test('finding 3: an anomaly rule with an unrepresentable history is a 400; the name stays free', async () => {
    const r = await call('POST', '/v1/rules', { name: 'r1', type: 'anomaly', metric: 'm', history: 1e308 });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['history']);
    expect((await call('POST', '/v1/rules', rule({}))).status).toBe(201);
    expect((await call('DELETE', '/v1/rules/r1')).status).toBe(204);
  });

  test('finding 3: a list skips (and logs) a stored row it cannot render instead of failing', async () => {
    await db.query(
      `INSERT INTO silences (id, matchers, starts_at, ends_at, created_by) VALUES ('bad', '[]', now(), 'infinity', 'old bug')`,
    );
    const r = await call('GET', '/v1/silences');
    expect(r.status).toBe(200);
    expect(r.json.silences.map((s: { id: string }) => s.id)).not.toContain('bad');
    expect(logger.lines.some((l) => String(l.msg).includes('skipped a stored silence'))).toBe(true);
    await db.query(`DELETE FROM silences WHERE id = 'bad'`);
  });

  test('finding 5: __proto__ in rule matchers or a silence matcher name is a 400 naming it', async () => {
    const matchers = await call(
      'POST',
      '/v1/rules',
      '{"name":"p","type":"threshold","metric":"m","op":">","threshold":1,"matchers":{"__proto__":{"host":"a"}}}',
    );
    expect(matchers.status).toBe(400);
    expect(paths(matchers)).toEqual(['matchers.__proto__']);
    const labels = await call('POST', '/v1/rules', rule({ name: 'p', labels: { constructor: 'x' } }));
    expect(labels.status).toBe(400);
    expect(paths(labels)).toContain('labels.constructor');
    const silence = await call('POST', '/v1/silences', {
      matchers: [{ name: '__proto__', value: 'a' }],
      ends_at: Date.now() + 60_000,
      created_by: 'me',
    });
    expect(silence.status).toBe(400);
    expect(paths(silence)).toEqual(['matchers[0].name']);
    expect((await call('GET', '/v1/incidents?__proto__=x')).status).toBe(400);
    expect((await call('GET', '/v1/rules/p')).status).toBe(404);
  });

  test('finding 6: lone surrogates and NUL in silence fields and ack notes are a 400 with the path', async () => {
    const before = await count('silences');
    for (const [field, body] of [
      ['comment', { comment: 'x\ud800' }],
      ['created_by', { created_by: '\udc00' }],
      ['matchers[0].value', { matchers: [{ name: 'host', value: 'a\u0000b' }] }],
      ['comment', { comment: 'a\u0000' }],
    ] as const) {
      const r = await call('POST', '/v1/silences', {
        matchers: [{ name: 'host', value: 'a' }],
        ends_at: Date.now() + 60_000,
        created_by: 'me',
        ...body,
      });
      expect(r.status).toBe(400);
      expect(paths(r)).toEqual([field]);
    }
    expect(await count('silences')).toBe(before);
    const ack = await call('POST', '/v1/incidents/1/ack', { note: 'a\u0000' });
    expect(ack.status).toBe(400);
    expect(paths(ack)).toEqual(['note']);
  });

  test.each([
    ['GET', '/v1/incidents?rule=a%00b'],
    ['GET', '/v1/incidents?from=9999999999999999999999'],
    ['GET', '/v1/incidents?from=2026-02-31T00:00:00Z'],
    ['GET', '/v1/incidents/99999999999999999999'],
    ['GET', '/v1/notifications?channel=a%00'],
    ['GET', '/v1/silences/a%00'],
    ['DELETE', '/v1/rules/a%00b'],
    ['POST', '/v1/notifications/99999999999999999999/retry'],
  ])('finding 7: %s %s is a 400, not a 500', async (method, path) => {
    const r = await call(method, path);
    expect(r.status).toBe(400);
    expect(r.json.error.details.length).toBeGreaterThan(0);
  });

  test('finding 4: a body that stops arriving is answered 408 and closed (body idle timeout)', async () => {
    const { port } = new URL(url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), '127.0.0.1', () => {
        socket.write(
          'POST /v1/silences HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"match',
        );
      });
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    expect(answer).toContain('body_timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await call('GET', '/health')).status).toBe(200);
  });
});
