import net from 'net';
import {
  ALERTING_CLI,
  COLLECTOR_MAIN,
  createTestStorage,
  startServiceProcess,
  type ServiceProcess,
  type TestStorage,
} from '@aihub/core/testing';

/**
 * "No input may crash a service or make it answer 5xx": random and malformed bodies and query
 * strings against every write endpoint and the main read endpoints of both real services,
 * with a fixed seed so a failure reproduces.
 */
const TOKEN = 'robustness-token';
const H = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let seed = 20261122;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
const ATOMS = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  1.5,
  'x',
  '',
  '\u0000',
  'a'.repeat(5000),
  [],
  {},
  [[1, 2]],
  [[1, 'a']],
  { a: 1 },
  'NaN',
  '2026-01-01T00:00:00Z',
  99999999999999,
  // Issue 11's input classes: lone surrogates, overflowing numbers and times, huge durations,
  // impossible dates, pathological regexes.
  '\ud800',
  'a\udfffb',
  9_000_000_000_000_000,
  '99999999999999999999999',
  '1e309',
  `${'9'.repeat(400)}s`,
  '2026-02-31T00:00:00Z',
  '(a+)+$',
  '((((a*)*)*)*)*$',
  '(?=a)\\1',
];
const KEYS = [
  'kind',
  'series',
  'name',
  'labels',
  'points',
  'messages',
  'role',
  'content',
  'context',
  'run_id',
  'from',
  'to',
  'question',
  'thresholds',
  'matchers',
  'starts_at',
  'ends_at',
  'comment',
  'created_by',
  'type',
  'metric',
  'op',
  'threshold',
  'window',
  'samples',
  'value',
  'provider',
  'model',
  'resourceMetrics',
  'is_regex',
  'match_re',
  'divide_by',
  'offset',
  'history',
  'tags',
  'metrics',
  'model_info',
  'ts',
  'note',
  '__proto__',
  'constructor',
  'prototype',
];
function randomJson(depth = 0): unknown {
  if (depth > 3 || rnd() < 0.4) return pick(ATOMS);
  if (rnd() < 0.5) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomJson(depth + 1));
  // Null prototype, so "__proto__" becomes an ordinary key of the JSON text.
  const o: Record<string, unknown> = Object.create(null);
  for (let i = 0; i < 1 + rnd() * 5; i++) o[pick(KEYS)] = randomJson(depth + 1);
  return o;
}
const QUERY_VALUES = [
  '',
  '-1',
  'abc',
  '1e309',
  '%00',
  '99999999999999999999',
  '../../etc',
  "'; drop table x;--",
  '[]',
  'NaN',
  '2026-13-45',
  '1m',
  '0s',
  'x'.repeat(3000),
  'a\u0000b',
  '__proto__',
  'constructor',
  '9'.repeat(400),
  '-99999999999999999999',
  '2026-02-31T00:00:00Z',
  '(a+)+$',
  Array.from({ length: 51 }, (_, i) => `l${i}`).join(','),
];

describe('both services answer random input with 2xx/4xx, never 5xx, and stay healthy', () => {
  let storage: TestStorage;
  let collector: ServiceProcess;
  let alerting: ServiceProcess;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    const env = { AIHUB_TOKENS: TOKEN, DATABASE_URL: storage.config.databaseUrl!, LOG_LEVEL: 'error' };
    collector = await startServiceProcess(COLLECTOR_MAIN, {
      ...env,
      COLLECTOR_PORT: '0',
      SELF_METRICS_INTERVAL: '0',
    });
    alerting = await startServiceProcess(ALERTING_CLI, { ...env, ALERTING_PORT: '0' });
  });
  afterAll(async () => {
    await alerting?.stop();
    await collector?.stop();
    await storage?.cleanup();
  });

  test('800 random requests', async () => {
    const C = collector.url;
    const A = alerting.url;
    const posts: [string, string][] = [
      [C, '/v1/analyze'],
      [C, '/v1/chat'],
      [C, '/v1/push'],
      [C, '/v1/metrics'],
      [C, '/v1/stream/token'],
      [A, '/v1/rules'],
      [A, '/v1/silences'],
      [A, '/v1/incidents/1/ack'],
      [A, '/v1/channels/console/test'],
    ];
    const gets: [string, string][] = [
      [C, '/v1/query_range?name=x&from=%s&to=%s&step=%s&agg=%s&by=%s'],
      [C, '/v1/series?name=%s'],
      [C, '/v1/series?name=x&%s=%s'],
      [A, '/v1/incidents?%s=%s&from=%s'],
      [C, '/v1/training/runs/%s/metrics?names=%s&from=%s'],
      [C, '/v1/training/runs?status=%s'],
      [C, '/v1/llm/summary?from=%s'],
      [A, '/v1/incidents?status=%s&severity=%s&limit=%s'],
      [A, '/v1/rules/%s'],
      [A, '/v1/silences/%s'],
      [A, '/v1/notifications?status=%s&channel=%s'],
    ];
    const failures: string[] = [];
    for (let i = 0; i < 800; i++) {
      if (rnd() < 0.6) {
        const [base, path] = pick(posts);
        const body = rnd() < 0.1 ? '{"truncated' : JSON.stringify(randomJson());
        const method = path === '/v1/rules' && rnd() < 0.3 ? 'PUT' : 'POST';
        const accept = rnd() < 0.3 ? 'text/event-stream' : 'application/json';
        const res = await fetch(base + path, { method, headers: { ...H, accept }, body });
        const text = await res.text();
        if (res.status >= 500)
          failures.push(`${res.status} ${method} ${path} ${body.slice(0, 120)} → ${text.slice(0, 120)}`);
      } else {
        const [base, path] = pick(gets);
        const url = base + path.replace(/%s/g, () => encodeURIComponent(pick(QUERY_VALUES)));
        const res = await fetch(url, { headers: H });
        await res.text();
        if (res.status >= 500) failures.push(`${res.status} GET ${url.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await fetch(`${C}/health`)).status).toBe(200);
    expect((await fetch(`${A}/health`)).status).toBe(200);
    expect(collector.child.exitCode).toBeNull();
    expect(alerting.child.exitCode).toBeNull();
  });
  test('slow bodies, a cardinality flood and a pathological silence regex leave both services serving', async () => {
    const C = collector.url;
    const A = alerting.url;
    // 20 pushes whose bodies trickle in, a byte every 300 ms.
    const slow = Array.from({ length: 20 }, () => {
      const socket = net.connect(Number(new URL(C).port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        'POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
          `Authorization: Bearer ${TOKEN}\r\nContent-Length: 100000\r\n\r\n{`,
      );
      return socket;
    });
    const trickle = setInterval(() => slow.forEach((s) => s.write(' ')), 300);
    try {
      // A silence whose regex backtracks exponentially in JavaScript, and labels that trigger it.
      const silence = await fetch(`${A}/v1/silences`, {
        method: 'POST',
        headers: H,
        body: JSON.stringify({
          matchers: [{ name: 'host', value: '(a+)+$', is_regex: true }],
          ends_at: Date.now() + 3_600_000,
          created_by: 'robustness',
        }),
      });
      expect(silence.status).toBe(201);
      // A cardinality flood, bounded for CI: 2,000 new hosts in one push, one with the nasty label.
      const flood = Array.from({ length: 2000 }, (_, i) => ({
        host: i === 0 ? `${'a'.repeat(40)}!` : `flood-${i}`,
        cpu_usage_percent: 99,
      }));
      const pushed = await fetch(`${C}/v1/push`, {
        method: 'POST',
        headers: H,
        body: JSON.stringify({ system: flood }),
      });
      expect(pushed.status).toBe(202);
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${C}/v1/push`, {
          method: 'POST',
          headers: H,
          body: JSON.stringify({ samples: [{ name: 'normal', value: i }] }),
        });
        expect(res.status).toBe(202);
      }
      const raw = await fetch(`${C}/v1/query_range?name=system_cpu_usage_percent`, { headers: H });
      expect(raw.status).toBeLessThan(500);
      for (const base of [C, A]) {
        const started = Date.now();
        expect((await fetch(`${base}/health`)).status).toBe(200);
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    } finally {
      clearInterval(trickle);
      slow.forEach((s) => s.destroy());
    }
  });
});
