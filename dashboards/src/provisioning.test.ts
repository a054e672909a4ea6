// The Prometheus and Grafana provisioning: promtool accepts the configuration and the rules,
// the rules compute what the dashboards expect, and every datasource a dashboard uses exists.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalog } from './catalog';
import { POSTGRES_TYPE, PROMETHEUS_VARIABLE } from './datasources';
import {
  PROMETHEUS_CONFIG,
  PROVISIONING_DIR,
  REPO_ROOT,
  provisionedApps,
  provisionedDatasources,
  ruleFiles,
} from './provisioning-files';
import { extractTargets, type DashboardJson } from './targets';

const PROMTOOL = '/usr/bin/promtool';
const SECRET_PATH = '/run/secrets/aihub_token';

function promtool(args: string[]): string {
  return execFileSync(PROMTOOL, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('Prometheus provisioning', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-prom-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes `promtool check config`, with the token secret at a local path', () => {
    // promtool insists the credentials file exists; in compose it is the aihub_token secret.
    const config = fs.readFileSync(PROMETHEUS_CONFIG, 'utf8');
    expect(config).toContain(SECRET_PATH);
    fs.writeFileSync(path.join(dir, 'token'), 'test-token');
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      config.replaceAll(SECRET_PATH, path.join(dir, 'token')),
    );
    fs.cpSync(path.join(PROVISIONING_DIR, 'prometheus', 'rules'), path.join(dir, 'rules'), {
      recursive: true,
    });
    const out = promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(out).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes `promtool check rules`', () => {
    const out = promtool(['check', 'rules', ...ruleFiles()]);
    expect(out).toMatch(/SUCCESS: 7 rules found/);
  });

  it('passes the rule unit tests (`promtool test rules`)', () => {
    const tests = path.join(PROVISIONING_DIR, 'prometheus', 'tests');
    const files = fs.readdirSync(tests).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    const out = execFileSync(PROMTOOL, ['test', 'rules', ...files], {
      cwd: tests,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toContain('SUCCESS');
  });
});

describe('Grafana provisioning', () => {
  const datasources = provisionedDatasources();

  it('provisions the two datasource uids with the types the dashboards expect', () => {
    expect(datasources.map((d) => [d.uid, d.type])).toEqual([
      ['aihub-prometheus', 'prometheus'],
      ['aihub-timescaledb', POSTGRES_TYPE],
    ]);
    expect(datasources[1].jsonData?.timescaledb).toBe(true);
  });

  it.each(catalog.map((e) => [e.file, e] as const))(
    '%s uses only provisioned datasources',
    (_file, entry) => {
      const dashboard = entry.build() as unknown as DashboardJson;
      const variables =
        (dashboard.templating as { list?: { name: string; type: string; current?: { value?: string } }[] })
          .list ?? [];
      const promVariable = variables.find((v) => v.name === PROMETHEUS_VARIABLE && v.type === 'datasource');
      const resolve = (uid: string) =>
        uid === `\${${PROMETHEUS_VARIABLE}}` ? promVariable?.current?.value : uid;
      const uids = new Set(datasources.map((d) => d.uid));
      const unresolved = extractTargets(dashboard)
        .map((t) => ({ panel: t.panelTitle, uid: resolve(t.datasourceUid) }))
        .filter((t) => !t.uid || !uids.has(t.uid));
      expect(unresolved).toEqual([]);
    },
  );

  it('configures the app plugin with service URLs and tokens from the environment', () => {
    const pluginId = JSON.parse(
      fs.readFileSync(path.join(REPO_ROOT, 'grafana-plugin/src/plugin.json'), 'utf8'),
    ).id;
    const [app] = provisionedApps();
    expect(app.type).toBe(pluginId);
    expect(app.jsonData).toEqual({
      collectorUrl: 'http://collector:4880',
      alertingUrl: 'http://alerting:4881',
    });
    expect(app.secureJsonData).toEqual({ collectorToken: '${AIHUB_TOKEN}', alertingToken: '${AIHUB_TOKEN}' });
  });
});
