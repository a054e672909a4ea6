import http from 'http';
import type { AddressInfo } from 'net';
import { AlertingMetrics, type MetricSources } from './metrics';

/** Serves one AlertingMetrics on loopback and returns its Prometheus text. */
async function scrape(metrics: AlertingMetrics): Promise<string> {
  const server = http.createServer((req, res) => metrics.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The sample lines of one metric name (no HELP/TYPE), e.g. `name{a="b"} 1`. */
const samplesOf = (text: string, name: string) =>
  text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('alerting /metrics names (docs/metrics.md "Alerting /metrics")', () => {
  const sources: MetricSources = {
    alerts: () => [
      { alertname: 'critical_cpu_usage', severity: 'critical', state: 'firing', count: 2 },
      { alertname: 'critical_disk_usage', severity: 'critical', state: 'firing', count: 1 },
      { alertname: 'high_cpu_usage', severity: 'warning', state: 'pending', count: 4 },
    ],
    anomalyScores: () => [],
    seriesOverLimit: () => new Map([['cpu_anomaly', 14_000]]),
    outboxPending: () => ({}),
  };
  let metrics: AlertingMetrics;
  beforeEach(() => {
    metrics = new AlertingMetrics(sources);
  });
  afterEach(() => metrics.shutdown());

  test('aihub_rule_series_over_limit{rule} and the last cycle duration are exposed', async () => {
    metrics.cycleEvaluated(0.25);
    const text = await scrape(metrics);
    expect(samplesOf(text, 'aihub_rule_series_over_limit')).toEqual([
      expect.stringMatching(/^aihub_rule_series_over_limit\{rule="cpu_anomaly"[^}]*\} 14000$/),
    ]);
    expect(samplesOf(text, 'aihub_evaluation_cycle_duration_seconds')[0]).toMatch(/ 0\.25$/);
  });

  test('aihub_alerts_firing{severity} counts firing instances only, with 0 for quiet severities', async () => {
    const text = await scrape(metrics);
    expect(text).toContain('# TYPE aihub_alerts_firing gauge');
    const firing = samplesOf(text, 'aihub_alerts_firing');
    expect(firing).toHaveLength(3);
    expect(firing.find((l) => l.includes('severity="critical"'))).toMatch(/ 3$/);
    expect(firing.find((l) => l.includes('severity="warning"'))).toMatch(/ 0$/); // pending is not firing
    expect(firing.find((l) => l.includes('severity="info"'))).toMatch(/ 0$/);
    // The per-rule gauge stays beside it.
    expect(samplesOf(text, 'aihub_alerts')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/alertname="high_cpu_usage".*severity="warning".*state="pending".* 4$/),
      ]),
    );
  });

  test('aihub_notifications_total{channel,outcome} with outcomes sent, failed and dead', async () => {
    metrics.notification('hook', 'failed');
    metrics.notification('hook', 'failed');
    metrics.notification('hook', 'dead');
    metrics.notification('mail', 'sent');
    const text = await scrape(metrics);
    expect(text).toContain('# TYPE aihub_notifications_total counter');
    const lines = samplesOf(text, 'aihub_notifications_total');
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => !l.includes('status='))).toBe(true);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/channel="hook".*outcome="failed".* 2$/),
        expect.stringMatching(/channel="hook".*outcome="dead".* 1$/),
        expect.stringMatching(/channel="mail".*outcome="sent".* 1$/),
      ]),
    );
  });

  test('the rule evaluation histogram is exactly aihub_rule_evaluation_duration_seconds_{bucket,sum,count}', async () => {
    metrics.ruleEvaluated('high_cpu_usage', 0.003, false);
    metrics.ruleEvaluated('high_cpu_usage', 0.2, true);
    const text = await scrape(metrics);
    expect(text).toContain('# TYPE aihub_rule_evaluation_duration_seconds histogram');
    const name = 'aihub_rule_evaluation_duration_seconds';
    expect(samplesOf(text, `${name}_count`)).toEqual([expect.stringMatching(/rule="high_cpu_usage".* 2$/)]);
    expect(samplesOf(text, `${name}_sum`)).toEqual([expect.stringMatching(/ 0\.203$/)]);
    expect(samplesOf(text, `${name}_bucket`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/le="0\.005".* 1$/),
        expect.stringMatching(/le="0\.25".* 2$/),
        expect.stringMatching(/le="\+Inf".* 2$/),
      ]),
    );
    // No doubled unit and no unit-less leftover.
    expect(text).not.toMatch(/aihub_rule_evaluation_duration_(bucket|sum|count)\b/);
    expect(text).not.toContain('seconds_seconds');
    expect(samplesOf(text, 'aihub_rule_evaluation_failures_total')).toEqual([
      expect.stringMatching(/rule="high_cpu_usage".* 1$/),
    ]);
  });
});

test('rule evaluation failures exist at 0 for every evaluated rule, so "no failures" is a value', async () => {
  const metrics = new AlertingMetrics({
    alerts: () => [],
    anomalyScores: () => [],
    seriesOverLimit: () => new Map(),
    outboxPending: () => ({}),
  });
  try {
    metrics.ruleEvaluated('healthy_rule', 0.01, false);
    metrics.ruleEvaluated('broken_rule', 0.01, true);
    const text = await scrape(metrics);
    const lines = samplesOf(text, 'aihub_rule_evaluation_failures_total');
    expect(lines.find((l) => l.includes('rule="healthy_rule"'))).toMatch(/ 0$/);
    expect(lines.find((l) => l.includes('rule="broken_rule"'))).toMatch(/ 1$/);
  } finally {
    await metrics.shutdown();
  }
});
