// Every query of every dashboard, run for real: the collector and the alerting service on
// loopback with a real PostgreSQL, the demo workload pushed in fast mode, the real Prometheus
// scraping both with the provisioning config. Each PromQL target (variables substituted as
// Grafana does with "All" selected) must return data from Prometheus' HTTP API; each SQL
// target (Grafana macros expanded) must return rows from PostgreSQL.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import YAML from 'yaml';
import { catalog } from './catalog';
import { PROVISIONING_DIR, REPO_ROOT } from './provisioning-files';
import { expandSqlMacros } from './sql-macros';
import { extractTargets, type DashboardJson, type DashboardTarget } from './targets';
import { interpolate, type VariableScope } from './template-variables';
import { startPrometheus, type PrometheusServer } from './testing/prometheus-server';

// The services under test, through their public packages (jest maps @aihub/* to src).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createCollector, loadCollectorConfig } = require('@aihub/collector');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createAlerting, alertingConfigFromEnv } = require('@aihub/alerting');

const TOKEN = 't';
const SCRAPE_INTERVAL_S = 1;
/** Grafana: $__rate_interval = max($__interval + scrape interval, 4 × scrape interval). */
const INTERVAL_S = 5;
const RATE_INTERVAL_S = Math.max(INTERVAL_S + SCRAPE_INTERVAL_S, 4 * SCRAPE_INTERVAL_S);

interface Service {
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
}

const hostPort = (url: string) => new URL(url).host;

async function createDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `aihub_dashboards_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** `npm run demo` in its fast mode, against the collector under test. */
function runDemo(collectorUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.js'), '--fast'], {
      env: { ...process.env, COLLECTOR_URL: collectorUrl, AIHUB_TOKEN: TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`demo exited with ${code}\n${err}`)),
    );
  });
}

/** The values Grafana would substitute with every filter on "All". */
function variableScope(
  dashboard: DashboardJson,
  rangeS: number,
): { scope: VariableScope; allValues: Set<string> } {
  const scope: VariableScope = {
    __interval: `${INTERVAL_S}s`,
    __rate_interval: `${RATE_INTERVAL_S}s`,
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
  };
  const allValues = new Set<string>();
  type Variable = {
    name: string;
    type: string;
    includeAll?: boolean;
    allValue?: string;
    current?: { value?: string | string[] };
  };
  for (const v of (dashboard.templating as { list?: Variable[] }).list ?? []) {
    if (v.type === 'query' && v.includeAll) {
      scope[v.name] = [v.allValue ?? '.*'];
      allValues.add(v.name);
    } else if (v.type === 'textbox') {
      scope[v.name] = String(v.current?.value ?? '');
    }
  }
  return { scope, allValues };
}

const describeTarget = (t: DashboardTarget) => `${t.dashboardUid} #${t.panelId} "${t.panelTitle}" ${t.refId}`;

describe('every dashboard query returns data from the real stack', () => {
  let db: { url: string; drop(): Promise<void> };
  let collector: Service;
  let alerting: Service;
  let prometheus: PrometheusServer;
  let pg: Client;
  let timescaledb = false;
  let startedAt: Date;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-dash-it-'));

  beforeAll(async () => {
    startedAt = new Date(Date.now() - 60 * 60 * 1000);
    db = await createDatabase(process.env.TEST_DATABASE_URL!);
    collector = createCollector(
      loadCollectorConfig({
        COLLECTOR_PORT: '0',
        HOST: '127.0.0.1',
        AIHUB_TOKENS: TOKEN,
        DATABASE_URL: db.url,
        SELF_METRICS_INTERVAL: '1s',
      }),
    );
    const { url: collectorUrl } = await collector.start();

    // The compose stack's alerting configuration, with the mail channel pointed nowhere real.
    const alertingConfig = YAML.parse(
      fs.readFileSync(path.join(PROVISIONING_DIR, 'alerting', 'alerting.yml'), 'utf8'),
    );
    alertingConfig.evaluation_interval = '1s';
    fs.writeFileSync(path.join(work, 'alerting.yml'), YAML.stringify(alertingConfig));
    alerting = createAlerting(
      alertingConfigFromEnv({
        ALERTING_PORT: '0',
        HOST: '127.0.0.1',
        AIHUB_TOKENS: TOKEN,
        DATABASE_URL: db.url,
        ALERTING_CONFIG: path.join(work, 'alerting.yml'),
      }),
    );
    const { url: alertingUrl } = await alerting.start();

    prometheus = await startPrometheus({
      targets: { 'collector:4880': hostPort(collectorUrl), 'alerting:4881': hostPort(alertingUrl) },
      token: TOKEN,
      scrapeInterval: `${SCRAPE_INTERVAL_S}s`,
    });

    await runDemo(collectorUrl);
    // Enough scrapes after the demo for rate() windows and recording rules to fill.
    await new Promise((r) => setTimeout(r, (RATE_INTERVAL_S + 3) * 1000));

    pg = new Client({ connectionString: db.url });
    await pg.connect();
    timescaledb = (await pg.query(`SELECT to_regproc('time_bucket') IS NOT NULL AS ok`)).rows[0].ok;
  }, 300000);

  afterAll(async () => {
    await pg?.end();
    await prometheus?.stop();
    await alerting?.stop();
    await collector?.stop();
    await db?.drop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('scrapes both services with the token', async () => {
    const data = await prometheus.api<{ result: { metric: { job: string }; value: [number, string] }[] }>(
      'query',
      { query: 'up' },
    );
    const up = Object.fromEntries(data.result.map((r) => [r.metric.job, r.value[1]]));
    expect(up).toMatchObject({ 'aihub-collector': '1', 'aihub-alerting': '1' });
  });

  const dashboards = catalog.map((e) => e.build() as unknown as DashboardJson);
  const promTargets = dashboards.flatMap((d) =>
    extractTargets(d)
      .filter((t) => t.kind === 'prometheus')
      .map((t) => [describeTarget(t), d, t] as const),
  );
  const sqlTargets = dashboards.flatMap((d) =>
    extractTargets(d)
      .filter((t) => t.kind === 'sql')
      .map((t) => [describeTarget(t), d, t] as const),
  );

  it.each(promTargets)('PromQL %s returns data', async (_name, dashboard, target) => {
    if (target.kind !== 'prometheus') throw new Error('unreachable');
    const end = Date.now() / 1000;
    const { scope, allValues } = variableScope(dashboard, Math.round(end - startedAt.getTime() / 1000));
    const query = interpolate(target.expr, scope, { defaultFormat: 'regex', allValues });
    expect(query).not.toMatch(/\$\w/);
    const data = target.instant
      ? await prometheus.api<{ result: unknown[] }>('query', { query, time: String(end) })
      : await prometheus.api<{ result: unknown[] }>('query_range', {
          query,
          start: String(end - 300),
          end: String(end),
          step: String(INTERVAL_S),
        });
    expect({ query, series: data.result.length > 0 }).toEqual({ query, series: true });
  });

  it.each(sqlTargets)('SQL %s returns rows', async (_name, dashboard, target) => {
    if (target.kind !== 'sql') throw new Error('unreachable');
    const to = new Date();
    const { scope, allValues } = variableScope(
      dashboard,
      Math.round((to.getTime() - startedAt.getTime()) / 1000),
    );
    const withVariables = interpolate(target.rawSql, scope, { defaultFormat: 'sqlstring', allValues });
    const sql = expandSqlMacros(withVariables, {
      from: startedAt,
      to,
      intervalMs: INTERVAL_S * 1000,
      timescaledb,
    });
    const { rows } = await pg.query(sql);
    expect({ sql, rows: rows.length > 0 }).toEqual({ sql, rows: true });
  });
});
