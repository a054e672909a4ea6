import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { AlertingConfigError } from './issues';
import { DEFAULT_CONFIG_PATH, loadAlertingConfig, parseAlertingConfig } from './load';

const DESIGN_EXAMPLE = `
evaluation_interval: 15s
channels:
  - {name: oncall-mail, type: email, smtp_url: "smtp://127.0.0.1:2525", from: "alerts@example.com",
     to: ["oncall@example.com"], send_resolved: true}
  - {name: ops-slack, type: slack, webhook_url: "\${SLACK_WEBHOOK_URL}"}
  - {name: pager-hook, type: webhook, url: "http://127.0.0.1:9999/alerts", secret: "\${WEBHOOK_SECRET}"}
routes:
  - {match: {severity: critical}, channels: [oncall-mail, ops-slack, pager-hook],
     group_by: [alertname], group_wait: 0s, group_interval: 1m, repeat_interval: 4h}
rules:
  - {name: high_cpu_usage, type: threshold, metric: system_cpu_usage_percent, matchers: {},
     aggregation: avg, window: 1m, op: ">", threshold: 80, for: 5m, keep_firing_for: 0s,
     severity: warning, labels: {team: infra},
     annotations: {summary: "CPU at {{ $value }}% on {{ $labels.host }}"}}
  - {name: loss_anomaly, type: anomaly, metric: training_train_loss, min_history: 100,
     contamination: 0.01, retrain: "0 * * * *", severity: auto}
`;

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof AlertingConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected an AlertingConfigError');
}

describe('alerting configuration', () => {
  test('the DESIGN.md example parses, with ${ENV} substituted and durations in ms', () => {
    const cfg = parseAlertingConfig(DESIGN_EXAMPLE, {
      SLACK_WEBHOOK_URL: 'https://hooks.slack.test/T1',
      WEBHOOK_SECRET: 's3cret',
    });
    expect(cfg.evaluation_interval).toBe(15_000);
    const slack = cfg.channels.find((c) => c.name === 'ops-slack');
    expect(slack).toMatchObject({ type: 'slack', webhook_url: 'https://hooks.slack.test/T1' });
    expect(cfg.channels.find((c) => c.name === 'pager-hook')).toMatchObject({
      secret: 's3cret',
      timeout: 10_000,
    });
    expect(cfg.routes[0]).toMatchObject({
      group_wait: 0,
      group_interval: 60_000,
      repeat_interval: 4 * 3_600_000,
    });
    expect(cfg.rules[0]).toMatchObject({
      type: 'threshold',
      for: 300_000,
      window: 60_000,
      threshold: 80,
      no_data: 'keep',
    });
    expect(cfg.rules[1]).toMatchObject({ type: 'anomaly', min_history: 100, severity: 'auto' });
  });

  test('a missing environment variable is an error at the path that uses it', () => {
    const issues = issuesOf(() => parseAlertingConfig(DESIGN_EXAMPLE, { WEBHOOK_SECRET: 'x' }));
    expect(issues).toContainEqual({
      path: 'channels[1].webhook_url',
      message: 'environment variable SLACK_WEBHOOK_URL is not set',
    });
  });

  test('${VAR:-default} falls back when the variable is unset', () => {
    const cfg = parseAlertingConfig('channels: [{name: f, type: file, path: "${DIR:-/tmp/x}/a.jsonl"}]', {});
    expect(cfg.channels[0]).toMatchObject({ path: '/tmp/x/a.jsonl' });
  });

  test('each error names its path', () => {
    const issues = issuesOf(() =>
      parseAlertingConfig(
        `evaluation_interval: 5x
rules:
  - {name: ok_rule, type: threshold, metric: m, op: ">", threshold: 1}
  - {name: bad rule, type: threshold, metric: m, op: ">>", threshold: "high", window: 1m}
  - {name: r3, type: anomaly, metric: m, retrain: "every hour"}
  - {name: r4, type: nonsense, metric: m}`,
        {},
      ),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'evaluation_interval',
        'rules[1].name',
        'rules[1].op',
        'rules[1].threshold',
        'rules[2].retrain',
        'rules[3].type',
      ]),
    );
  });

  test('routes must name configured channels, and names must be unique', () => {
    const issues = issuesOf(() =>
      parseAlertingConfig(
        `channels: [{name: c, type: console}, {name: c, type: console}]
routes: [{channels: [c, nowhere]}]
rules: [{name: a, type: threshold, metric: m, op: ">", threshold: 1}, {name: a, type: threshold, metric: m, op: "<", threshold: 1}]`,
        {},
      ),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'channels[1].name', message: 'duplicate channel name "c"' },
        { path: 'routes[0].channels[1]', message: 'unknown channel "nowhere"' },
        { path: 'rules[1].name', message: 'duplicate rule name "a"' },
      ]),
    );
  });

  test('unknown keys are refused rather than silently ignored', () => {
    const issues = issuesOf(() =>
      parseAlertingConfig(
        'rules: [{name: a, type: threshold, metric: m, op: ">", threshold: 1, treshold: 2}]',
        {},
      ),
    );
    expect(issues[0].path).toBe('rules[0]');
    expect(issues[0].message).toMatch(/treshold/);
  });

  test('YAML syntax errors give a line and column', () => {
    const issues = issuesOf(() => parseAlertingConfig('rules: [\n  {name: a', {}));
    expect(issues[0].path).toMatch(/^line \d+:\d+$/);
  });

  test('the shipped defaults hold the ten rules of the original plan plus training and LLM rules', () => {
    const cfg = loadAlertingConfig(DEFAULT_CONFIG_PATH, {});
    const byName = new Map(cfg.rules.map((r) => [r.name, r]));
    const plan: [string, number, number, string][] = [
      ['high_cpu_usage', 80, 5, 'warning'],
      ['critical_cpu_usage', 95, 2, 'critical'],
      ['high_memory_usage', 85, 5, 'warning'],
      ['critical_memory_usage', 95, 2, 'critical'],
      ['high_response_time', 2000, 3, 'warning'],
      ['critical_response_time', 5000, 1, 'critical'],
      ['high_error_rate', 5, 2, 'warning'],
      ['critical_error_rate', 10, 1, 'critical'],
      ['disk_space_low', 90, 5, 'warning'],
      ['disk_space_critical', 95, 1, 'critical'],
    ];
    for (const [name, threshold, minutes, severity] of plan) {
      expect(byName.get(name)).toMatchObject({
        type: 'threshold',
        op: '>',
        threshold,
        for: minutes * 60_000,
        severity,
      });
    }
    for (const name of [
      'training_overfitting',
      'training_loss_diverging',
      'training_vanishing_gradients',
      'training_exploding_gradients',
      'llm_high_error_rate',
      'llm_latency_regression',
      'llm_cost_spike',
    ]) {
      expect(byName.has(name)).toBe(true);
    }
  });

  test('check-config exits 0 on a good file and 1 with path-named errors on a bad one', () => {
    // The built bin, as users run it (`npm test` builds first).
    const cli = path.resolve(__dirname, '../../dist/cli.js');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerting-cfg-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      bad,
      'rules: [{name: a, type: threshold, metric: m, op: ">", threshold: 1, for: soon}]\n',
    );
    const exec = (file: string) =>
      spawnSync(process.execPath, [cli, 'check-config', file], { encoding: 'utf8' });
    const good = exec(DEFAULT_CONFIG_PATH);
    expect(good.status).toBe(0);
    expect(good.stdout).toMatch(/OK \(18 rules/);
    const failed = exec(bad);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/rules\[0\]\.for: "soon" is not a duration/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
