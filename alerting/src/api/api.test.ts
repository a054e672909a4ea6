import { createLogger, type Database } from '@aihub/core';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from '../config/load';
import { createAlerting, type Alerting } from '../service';
import { insertSamples } from '../testing/samples';
import { startHttpReceiver } from '../testing/receivers';
import { waitFor } from '../testing/process';

const logger = createLogger({ level: 'error' });
const CONFIG = `evaluation_interval: 200ms
channels: [{name: hook, type: webhook, url: "http://127.0.0.1:9/x"}]
routes: [{channels: [hook], group_wait: 1h}]
rules:
  - {name: from_file, type: threshold, metric: m, op: ">", threshold: 1}
`;

describe('alerting API', () => {
  let storage: TestStorage;
  let db: Database;
  let alerting: Alerting;
  let url: string;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; json: any }> => {
    const res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    db = await storage.openMigrated();
    alerting = createAlerting({
      config: parseAlertingConfig(CONFIG, {}),
      db,
      port: 0,
      logger,
      handleSignals: false,
    });
    url = (await alerting.start()).url;
  });
  afterAll(async () => {
    await alerting.stop();
    await db.close();
    await storage.cleanup();
  });

  test('health and readiness', async () => {
    expect(await call('GET', '/health')).toEqual({ status: 200, json: { status: 'ok' } });
    expect(await call('GET', '/ready')).toEqual({ status: 200, json: { status: 'ready' } });
  });

  test('rules CRUD: create, read, replace, delete; persisted in alert_rules', async () => {
    const rule = {
      name: 'api_rule',
      type: 'threshold',
      metric: 'queue_depth',
      op: '>',
      threshold: 100,
      for: '1m',
    };
    const created = await call('POST', '/v1/rules', rule);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      name: 'api_rule',
      source: 'api',
      for: '1m',
      aggregation: 'avg',
      window: '1m',
    });
    expect((await call('POST', '/v1/rules', rule)).status).toBe(409);
    const replaced = await call('PUT', '/v1/rules/api_rule', { ...rule, threshold: 200 });
    expect(replaced.json.threshold).toBe(200);
    const rows = await db.query<{ definition: { threshold: number } }>(
      `SELECT definition FROM alert_rules WHERE name = 'api_rule'`,
    );
    expect(rows[0].definition.threshold).toBe(200);
    const list = await call('GET', '/v1/rules');
    expect(list.json.rules.map((r: { name: string }) => r.name)).toEqual(['api_rule', 'from_file']);
    expect((await call('DELETE', '/v1/rules/api_rule')).status).toBe(204);
    expect((await call('GET', '/v1/rules/api_rule')).status).toBe(404);
  });

  test('rules from the configuration file are read-only through the API', async () => {
    const res = await call('DELETE', '/v1/rules/from_file');
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe('read_only');
  });

  test('bad input is a 4xx JSON error naming the field, never a 5xx', async () => {
    const bad = await call('POST', '/v1/rules', {
      name: 'x',
      type: 'threshold',
      metric: 'm',
      op: '>>',
      threshold: 'high',
      window: 'soon',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid');
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'op',
      'threshold',
      'window',
    ]);
    expect((await call('POST', '/v1/rules', '{"name":')).status).toBe(400);
    expect((await call('POST', '/v1/rules', 'null')).status).toBe(400);
    expect((await call('POST', '/v1/incidents/abc/ack', {})).status).toBe(400);
    expect((await call('POST', '/v1/incidents/999/ack', {})).status).toBe(404);
    expect((await call('GET', '/v1/incidents?status=exploded')).status).toBe(400);
    const silence = await call('POST', '/v1/silences', {
      matchers: [{ name: 'host', value: '(', is_regex: true }],
      ends_at: 'tomorrow',
      created_by: '',
    });
    expect(silence.status).toBe(400);
    expect(silence.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'created_by',
      'ends_at',
      'matchers[0].value',
    ]);
    expect((await call('POST', '/v1/channels/nope/test')).status).toBe(404);
    expect((await call('GET', '/v1/nothing')).status).toBe(404);
  });

  test('incidents: filter by status and label, acknowledge with a note', async () => {
    await insertSamples(db, 'm', { host: 'h1' }, [[Date.now(), 5]]);
    const inc = await waitFor(
      'incident',
      async () => (await call('GET', '/v1/incidents?status=active&host=h1')).json.incidents[0],
    );
    expect(inc).toMatchObject({ rule: 'from_file', labels: { host: 'h1' }, trigger_value: 5 });
    expect((await call('GET', '/v1/incidents?host=other')).json.incidents).toEqual([]);
    const acked = await call('POST', `/v1/incidents/${inc.id}/ack`, { by: 'alice', note: 'looking' });
    expect(acked.json).toMatchObject({ status: 'acknowledged', acknowledged_by: 'alice', notes: 'looking' });
    expect((await call('GET', '/v1/incidents?status=acknowledged')).json.incidents).toHaveLength(1);
  });

  test('POST /v1/channels/:name/test reports a failing channel as 502 and a working one as delivered', async () => {
    expect((await call('POST', '/v1/channels/hook/test')).status).toBe(502);
    const rx = await startHttpReceiver();
    try {
      const cfg = parseAlertingConfig(CONFIG.replace('http://127.0.0.1:9/x', rx.url), {});
      await alerting.reload(cfg);
      const ok = await call('POST', '/v1/channels/hook/test');
      expect(ok).toMatchObject({ status: 200, json: { delivered: true } });
      expect(JSON.parse(rx.received[0].body).alerts[0].labels.alertname).toBe('aihub_test_notification');
    } finally {
      await rx.close();
    }
  });
});

describe('alerting API with tokens', () => {
  test('bearer token on everything but /health and /ready', async () => {
    const storage = await createTestStorage('postgres');
    const db = await storage.openMigrated();
    const alerting = createAlerting({
      config: parseAlertingConfig(CONFIG, {}),
      db,
      port: 0,
      logger,
      handleSignals: false,
      tokens: ['t0ken'],
    });
    const { url } = await alerting.start();
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/v1/rules`)).status).toBe(401);
      expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(
        401,
      );
      expect((await fetch(`${url}/v1/rules`, { headers: { authorization: 'Bearer t0ken' } })).status).toBe(
        200,
      );
      expect((await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer t0ken' } })).status).toBe(
        200,
      );
    } finally {
      await alerting.stop();
      await db.close();
      await storage.cleanup();
    }
  });
});
