import { createLogger, type Database } from '@aihub/core';
import { parsePrometheusText } from '@aihub/core/testing';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { parseAlertingConfig } from '../config/load';
import { createAlerting, type Alerting } from '../service';
import { startHttpReceiver } from '../testing/receivers';
import { zoneAtNoon } from '../testing/time-zones';
import { insertLlmRequests } from '../testing/samples';
import { waitFor } from '../testing/process';

/**
 * Budgets through the whole in-process service on a real database, with the clock under the
 * test's control (periods, roll-overs and forecasts depend on the time of day): a real webhook
 * receiver on loopback gets what the ordinary routes send.
 */
const logger = createLogger({ level: 'error' });
const HOUR = 3_600_000;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function config(receiverUrl: string, budgets: string) {
  return parseAlertingConfig(
    `evaluation_interval: 1h
channels:
  - {name: hook, type: webhook, url: "${receiverUrl}/alerts"}
routes:
  - {match: {}, channels: [hook], group_by: [alertname, user_id, budget_threshold], group_wait: 0s, group_interval: 0s, repeat_interval: 1m}
budgets:
${budgets}`,
    {},
  );
}

/** Waits until nothing is pending in the outbox (the service's own timer delivers it). */
const settle = (db: Database) =>
  waitFor('outbox delivered', async () => {
    const rows = await db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM notification_outbox WHERE status = 'pending'`,
    );
    return Number(rows[0].n) === 0;
  });

/**
 * One alerting service per test on a fresh database, with a webhook receiver and a clock the
 * test sets: start(budgets) builds it, cycleAt(t) runs one cycle at t and waits for delivery.
 */
function budgetService(driver: (typeof TEST_DRIVERS)[number]) {
  let storage: TestStorage;
  let alerting: Alerting | undefined;
  let clock = 0;
  const svc = {
    db: undefined as unknown as Database,
    rx: undefined as unknown as Awaited<ReturnType<typeof startHttpReceiver>>,
    bodies: (): Json[] => svc.rx.received.map((r) => JSON.parse(r.body)),
    async start(budgets: string) {
      alerting = createAlerting({
        config: config(svc.rx.url, budgets),
        db: svc.db,
        port: 0,
        logger,
        handleSignals: false,
        autoRun: false,
        now: () => clock,
        instanceId: `test-${Math.random()}`,
      });
      return (await alerting.start()).url;
    },
    async stop() {
      await alerting?.stop();
      alerting = undefined;
    },
    async cycleAt(t: number) {
      clock = t;
      await alerting!.runCycle();
      await settle(svc.db);
    },
  };
  beforeEach(async () => {
    storage = await createTestStorage(driver);
    svc.db = await storage.openMigrated();
    svc.rx = await startHttpReceiver();
  });
  afterEach(async () => {
    await svc.stop();
    await svc.rx.close();
    await svc.db.close();
    await storage.cleanup();
  });
  return svc;
}

const userDaily = `  - {name: user_daily, match: {provider: openai}, by: [user_id], period: day, timezone: UTC,
     limit_usd: 10, forecast: false}`;

describe.each(TEST_DRIVERS)('budgets in the alerting service on %s', (driver) => {
  const svc = budgetService(driver);
  const { bodies, start, cycleAt } = svc;
  const spend = (time: number, user: string, usd: number, provider = 'openai') =>
    insertLlmRequests(svc.db, [
      { time, provider, model: 'gpt-4o', user_id: user, cost_usd: usd, input_tokens: 100 },
    ]);

  test('50 % and 80 % of a per-user daily budget → one webhook each; nothing for a user under budget, nothing again after a restart', async () => {
    const day = Date.parse('2026-03-10T00:00:00Z');
    await start(userDaily);
    await spend(day + 1 * HOUR, 'u1', 5.5);
    await spend(day + 1 * HOUR, 'u2', 1); // 10 %: no alert
    await spend(day + 1 * HOUR, 'u1', 50, 'anthropic'); // another provider: outside the budget's scope
    await cycleAt(day + 2 * HOUR);
    expect(bodies()).toHaveLength(1);
    expect(bodies()[0].alerts).toEqual([
      expect.objectContaining({
        status: 'firing',
        labels: { alertname: 'user_daily', budget_threshold: '50', user_id: 'u1', severity: 'warning' },
        annotations: expect.objectContaining({ spent: '$5.50', limit: '$10.00', percent: '55' }),
      }),
    ]);

    await spend(day + 3 * HOUR, 'u1', 3); // 85 %
    await cycleAt(day + 4 * HOUR);
    expect(bodies()).toHaveLength(2);
    expect(bodies()[1].alerts).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ budget_threshold: '80', user_id: 'u1' }) }),
    ]);

    // Hours later (past repeat_interval), after a restart: each threshold stays announced once.
    await svc.stop();
    await start(userDaily);
    await cycleAt(day + 6 * HOUR);
    await cycleAt(day + 9 * HOUR);
    expect(bodies()).toHaveLength(2);
    expect(bodies().flatMap((b) => b.alerts.map((a: Json) => a.labels.user_id))).toEqual(['u1', 'u1']);

    // The next day the alerts resolve (send_resolved), and a new crossing is a new alert.
    await spend(day + 25 * HOUR, 'u1', 6);
    await cycleAt(day + 26 * HOUR);
    const later = bodies()
      .slice(2)
      .flatMap((b) => b.alerts)
      .map((a: Json) => `${a.status} ${a.labels.budget_threshold} ${a.annotations.budget_period}`);
    expect(later.sort()).toEqual([
      'firing 50 2026-03-11',
      'resolved 50 2026-03-10',
      'resolved 80 2026-03-10',
    ]);
  });

  test('a month budget rolls over at midnight of its time zone, not UTC', async () => {
    const budget = `  - {name: team_monthly, match: {organization_id: o1}, period: month, timezone: America/New_York,
     limit_tokens: 1000, thresholds: [80], forecast: false}`;
    await start(budget);
    await insertLlmRequests(svc.db, [
      {
        time: Date.parse('2026-01-31T12:00:00Z'),
        provider: 'openai',
        model: 'gpt-4o',
        organization_id: 'o1',
        input_tokens: 700,
        output_tokens: 200,
      },
    ]);
    await cycleAt(Date.parse('2026-01-31T13:00:00Z'));
    expect(bodies().map((b) => b.status)).toEqual(['firing']);
    expect(bodies()[0].alerts[0].annotations).toMatchObject({
      spent: '900 tokens',
      period_start: '2026-01-01T05:00:00.000Z',
      period_end: '2026-02-01T05:00:00.000Z',
    });
    // February in UTC, still January in New York: the alert stays.
    await cycleAt(Date.parse('2026-02-01T04:59:00Z'));
    expect(bodies().map((b) => b.status)).toEqual(['firing']);
    await cycleAt(Date.parse('2026-02-01T05:00:30Z'));
    expect(bodies().map((b) => b.status)).toEqual(['firing', 'resolved']);
    const incidents = (await svc.db.query<{ status: string }>(`SELECT status FROM alert_incidents`)).map(
      (r) => r.status,
    );
    expect(incidents).toEqual(['resolved']);
  });
});

describe('budget forecasts, API and metrics (PostgreSQL)', () => {
  const svc = budgetService('postgres');
  const { bodies, start, cycleAt } = svc;
  const forecastBudget = `  - {name: daily_spend, period: day, timezone: UTC, limit_usd: 10, thresholds: [50, 80, 100]}`;

  test('a steep hour raises the forecast warning at once; spend below every threshold', async () => {
    const day = Date.parse('2026-03-10T00:00:00Z');
    await start(forecastBudget);
    await insertLlmRequests(svc.db, [
      { time: day + 2.5 * HOUR, provider: 'openai', model: 'gpt-4o', cost_usd: 3 },
    ]);
    await cycleAt(day + 3 * HOUR); // 30 % spent in 1/8 of the day → $24 forecast
    expect(bodies()).toHaveLength(1);
    expect(bodies()[0].alerts[0]).toMatchObject({
      labels: { alertname: 'daily_spend', budget_threshold: 'forecast', severity: 'warning' },
      annotations: { forecast: '$24.00', spent: '$3.00', limit: '$10.00' },
    });
    // Still forecast over later: announced once.
    await cycleAt(day + 5 * HOUR);
    expect(bodies()).toHaveLength(1);
  });

  test('with a week of history the hour-of-day profile expects the morning rush: the same spend forecasts no overrun', async () => {
    const day = Date.parse('2026-03-10T00:00:00Z');
    // Eight days on which 60 % of the day's spend happens between 00:00 and 03:00 UTC.
    const history = [];
    for (let d = 1; d <= 8; d++)
      for (let h = 0; h < 24; h++)
        history.push({
          time: day - d * 24 * HOUR + h * HOUR + 60_000,
          provider: 'openai',
          model: 'gpt-4o',
          cost_usd: h < 3 ? 1.6 : 0.15,
        });
    await insertLlmRequests(svc.db, history);
    await insertLlmRequests(svc.db, [
      { time: day + 2.5 * HOUR, provider: 'openai', model: 'gpt-4o', cost_usd: 3 },
    ]);
    const url = await start(forecastBudget);
    await cycleAt(day + 3 * HOUR);
    expect(bodies()).toHaveLength(0);
    const status: Json = await (await fetch(`${url}/v1/budgets/daily_spend`)).json();
    expect(status.status.forecast_model).toBe('hour_of_day');
    expect(status.status.instances[0].forecast).toBeGreaterThan(3);
    expect(status.status.instances[0].forecast).toBeLessThan(10);
  });

  test('/v1/budgets: CRUD, config budgets read-only, bad input → 400 naming the field and nothing stored', async () => {
    const url = await start(userDaily);
    const post = (body: unknown) =>
      fetch(`${url}/v1/budgets`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const good = {
      name: 'team_a',
      match: { organization_id: 'o1' },
      period: 'week',
      timezone: 'Europe/Berlin',
      limit_usd: 100,
    };
    const bad: [unknown, string][] = [
      [{ ...good, match: { team: 'x' } }, 'match.team'],
      [{ ...good, limit_usd: -5 }, 'limit_usd'],
      [{ ...good, period: 'year' }, 'period'],
      [{ ...good, timezone: 'Mars/Olympus' }, 'timezone'],
      [{ ...good, timezone: 'UTC+3' }, 'timezone'],
      [{ ...good, by: ['session_id'] }, 'by[0]'],
      [{ ...good, limit_tokens: 10 }, 'limit_tokens'],
      [{ ...good, thresholds: [0] }, 'thresholds[0]'],
    ];
    for (const [body, path] of bad) {
      const res = await post(body);
      expect(res.status).toBe(400);
      const err: Json = await res.json();
      expect(err.error.code).toBe('invalid');
      expect(err.error.details.map((d: Json) => d.path)).toContain(path);
    }
    expect(
      ((await (await fetch(`${url}/v1/budgets`)).json()) as Json).budgets.map((b: Json) => b.name),
    ).toEqual(['user_daily']);

    const created = await post(good);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({
      name: 'team_a',
      source: 'api',
      thresholds: [50, 80, 100],
      forecast: true,
    });
    expect((await post(good)).status).toBe(409);
    const put = await fetch(`${url}/v1/budgets/team_a`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...good, limit_usd: 200 }),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as Json).limit_usd).toBe(200);
    expect((await fetch(`${url}/v1/budgets/user_daily`, { method: 'DELETE' })).status).toBe(409);
    expect((await fetch(`${url}/v1/budgets/team_a`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${url}/v1/budgets/team_a`)).status).toBe(404);
  });

  test('/metrics shows spent, limit and forecast for the top N instances of a per-user budget only', async () => {
    const day = Date.parse('2026-03-10T00:00:00Z');
    const url = await start(
      `  - {name: per_user, by: [user_id], period: day, limit_usd: 100, metrics_top_n: 5}`,
    );
    await insertLlmRequests(
      svc.db,
      Array.from({ length: 30 }, (_, i) => ({
        time: day + HOUR,
        provider: 'openai',
        model: 'm',
        user_id: `u${i}`,
        cost_usd: i + 1,
      })),
    );
    await cycleAt(day + 12 * HOUR);
    const families = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
    const spent = families.get('aihub_budget_spent_usd')!.samples;
    expect(spent.map((s) => s.labels.user_id).sort()).toEqual(['u25', 'u26', 'u27', 'u28', 'u29']);
    expect(spent.find((s) => s.labels.user_id === 'u29')).toMatchObject({
      value: 30,
      labels: { budget: 'per_user' },
    });
    expect(families.get('aihub_budget_limit_usd')!.samples).toHaveLength(5);
    expect(
      families.get('aihub_budget_forecast_usd')!.samples.find((s) => s.labels.user_id === 'u29')!.value,
    ).toBeCloseTo(60);
    expect(families.get('aihub_budget_instances')!.samples).toEqual([
      expect.objectContaining({ labels: expect.objectContaining({ budget: 'per_user' }), value: 30 }),
    ]);
  });
});

describe('budget alerts with two replicas on one PostgreSQL', () => {
  let storage: TestStorage;
  let db: Database;
  const replicas: Alerting[] = [];
  beforeEach(async () => {
    storage = await createTestStorage('postgres');
    db = await storage.openMigrated();
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) await r.stop();
    await db.close();
    await storage.cleanup();
  });

  test('each threshold is notified once, by whichever replica leads, also after the leader stops', async () => {
    const rx = await startHttpReceiver();
    try {
      const cfg = parseAlertingConfig(
        `evaluation_interval: 200ms
leader_lease: 1s
channels:
  - {name: hook, type: webhook, url: "${rx.url}/alerts"}
routes:
  - {match: {}, channels: [hook], group_by: [alertname, user_id, budget_threshold], group_wait: 0s, group_interval: 0s, repeat_interval: 1s}
budgets:
  - {name: user_daily, by: [user_id], period: day, timezone: "${zoneAtNoon()}", limit_usd: 10, forecast: false}
`,
        {},
      );
      for (const id of ['replica-a', 'replica-b']) {
        const r = createAlerting({ config: cfg, db, port: 0, logger, handleSignals: false, instanceId: id });
        await r.start();
        replicas.push(r);
      }
      await insertLlmRequests(db, [
        { time: Date.now(), provider: 'openai', model: 'm', user_id: 'u1', cost_usd: 6 },
      ]);
      await waitFor('50 % webhook', () => rx.received.length >= 1);
      await new Promise((r) => setTimeout(r, 2000));
      expect(rx.received).toHaveLength(1);
      // The leader goes away; the other replica takes over and announces only what is new.
      const leader = replicas.findIndex((r) => r.isLeader());
      expect(leader).toBeGreaterThanOrEqual(0);
      await replicas.splice(leader, 1)[0].stop();
      await insertLlmRequests(db, [
        { time: Date.now(), provider: 'openai', model: 'm', user_id: 'u1', cost_usd: 2.5 },
      ]);
      await waitFor('80 % webhook from the other replica', () => rx.received.length >= 2, 15_000);
      await new Promise((r) => setTimeout(r, 2000));
      expect(rx.received.map((r) => JSON.parse(r.body).alerts[0].labels.budget_threshold)).toEqual([
        '50',
        '80',
      ]);
    } finally {
      await rx.close();
    }
  });
});
