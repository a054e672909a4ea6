import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import YAML from 'yaml';
import { ALERTING_BIN } from '../testing/process';

/**
 * The real `aihub-alerting export prometheus-rules` (the built CLI) checked by the real
 * promtool from the Debian prometheus package (the jest global setup installs it).
 */
const PROMTOOL = '/usr/bin/promtool';

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stderr: r.stderr };
}

/** Runs the CLI export into dir/file; returns the parsed rule names and the CLI's stderr. */
function exportRules(dir: string, file: string, config?: string) {
  const args = [ALERTING_BIN, 'export', 'prometheus-rules', '--output', file];
  if (config) args.push('--config', config);
  const r = run(process.execPath, args, dir);
  expect({ code: r.code, out: r.out }).toMatchObject({ code: 0 });
  const doc = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const names: string[] = doc.groups[0].rules.map((x: { alert: string }) => x.alert);
  return { names, stderr: r.stderr };
}

describe('aihub-alerting export prometheus-rules under promtool', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerting-promrules-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the shipped defaults pass `promtool check rules`, and `promtool test rules` fires them on the collector’s series', () => {
    const { names, stderr } = exportRules(dir, 'aihub.rules.yml');
    expect(names).toEqual(
      expect.arrayContaining([
        'high_cpu_usage',
        'critical_cpu_usage',
        'high_memory_usage',
        'critical_memory_usage',
        'disk_space_low',
        'disk_space_critical',
        'llm_high_error_rate',
      ]),
    );
    // Rules with no PromQL equivalent are named on stderr, not silently dropped.
    expect(stderr).toMatch(/skipped cpu_anomaly: anomaly rules run only in aihub-alerting/);

    const check = run(PROMTOOL, ['check', 'rules', 'aihub.rules.yml'], dir);
    expect({ code: check.code, out: check.out }).toEqual({
      code: 0,
      out: expect.stringContaining(`SUCCESS: ${names.length} rules found`),
    });

    // Semantics, not just syntax: utilisation ratios scaled to percent, labels renamed to the
    // collector's /metrics names (docs/metrics.md), `for` honoured.
    fs.writeFileSync(
      path.join(dir, 'aihub.test.yml'),
      `rule_files: [aihub.rules.yml]
evaluation_interval: 15s
tests:
  - interval: 15s
    input_series:
      - {series: 'system_cpu_utilization{host_name="gpu-01"}', values: '0.96875x40'}
      - {series: 'system_cpu_utilization{host_name="gpu-02"}', values: '0.2x40'}
      - series: 'aihub_llm_requests_total{gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",gen_ai_operation_name="chat",status="error"}'
        values: '0+1x40'
      - series: 'aihub_llm_requests_total{gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o",gen_ai_operation_name="chat",status="ok"}'
        values: '0+3x40'
    alert_rule_test:
      - {eval_time: 1m, alertname: critical_cpu_usage, exp_alerts: []}
      - eval_time: 4m
        alertname: critical_cpu_usage
        exp_alerts:
          - exp_labels: {severity: critical, team: infra, host_name: gpu-01}
            exp_annotations: {summary: "CPU at 96.875% on gpu-01"}
      - eval_time: 4m
        alertname: llm_high_error_rate
        exp_alerts:
          - exp_labels: {severity: warning, team: llm, gen_ai_provider_name: openai, gen_ai_request_model: gpt-4o}
            exp_annotations: {summary: "openai/gpt-4o error rate 25%"}
`,
    );
    const unit = run(PROMTOOL, ['test', 'rules', 'aihub.test.yml'], dir);
    expect({ code: unit.code, out: unit.out }).toEqual({ code: 0, out: expect.stringContaining('SUCCESS') });
  });

  test('every exported aggregation and operator, compound durations, keep_firing_for and quotes in values pass `promtool check rules`', () => {
    fs.writeFileSync(
      path.join(dir, 'alerting.yaml'),
      String.raw`channels:
  - {name: out, type: console}
routes:
  - {match: {}, channels: [out]}
rules:
  - {name: agg_avg, type: threshold, metric: system_cpu_usage_percent, aggregation: avg, window: 90s, op: ">",
     threshold: 80, for: 1500ms, keep_firing_for: 2m, matchers: {host: 'gpu "01" \ rack'}, labels: {team: infra},
     annotations: {summary: "CPU {{ $value | humanize }}% on {{ $labels.host }}", runbook: "it's \"quoted\""}}
  - {name: agg_min, type: threshold, metric: system_memory_usage_percent, aggregation: min, window: 5m, op: "<", threshold: 1e-7}
  - {name: agg_max, type: threshold, metric: system_disk_usage_percent, aggregation: max, window: 1h, op: ">=", threshold: -0.5}
  - {name: agg_sum, type: threshold, metric: system_load_avg_1m, aggregation: sum, window: 10m, op: "<=", threshold: 4}
  - {name: agg_count, type: threshold, metric: system_load_avg_1m, aggregation: count, window: 10m, op: "=", threshold: 0}
  - {name: agg_last, type: threshold, metric: system_cpu_usage_percent, aggregation: last, window: 1m, op: "!=", threshold: 50}
  - {name: agg_p95, type: threshold, metric: system_cpu_usage_percent, aggregation: p95, window: 1d, op: ">", threshold: 90, severity: info}
  - {name: llm_errors, type: threshold, metric: llm_error_rate, window: 5m, op: ">", threshold: 5,
     matchers: {provider: openai, model: gpt-4o}, severity: critical}
  - {name: not_exported, type: threshold, metric: business_api_usage, op: ">", threshold: 1}
`,
    );
    const { names, stderr } = exportRules(dir, 'custom.rules.yml', 'alerting.yaml');
    expect(names).toEqual([
      'agg_avg',
      'agg_min',
      'agg_max',
      'agg_sum',
      'agg_count',
      'agg_last',
      'agg_p95',
      'llm_errors',
    ]);
    expect(stderr).toMatch(/skipped not_exported: business_api_usage is not exposed to Prometheus/);
    const check = run(PROMTOOL, ['check', 'rules', 'custom.rules.yml'], dir);
    expect({ code: check.code, out: check.out }).toEqual({
      code: 0,
      out: expect.stringContaining('SUCCESS: 8 rules found'),
    });
  });
});
