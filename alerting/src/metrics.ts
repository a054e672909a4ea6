import type { IncomingMessage, ServerResponse } from 'http';
import type { Counter, Histogram } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { BudgetStatus } from './budgets/status';
import { SEVERITIES } from './config/schema';

const EVAL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type NotificationOutcome = 'sent' | 'failed' | 'dead';

/** What /metrics reads at scrape time (callbacks into the service's live state). */
export interface MetricSources {
  alerts(): { alertname: string; severity: string; state: string; count: number }[];
  anomalyScores(): { rule: string; labels: Record<string, string>; score: number }[];
  /** Per rule, matched series its max_series left out at its last evaluation. */
  seriesOverLimit(): Map<string, number>;
  outboxPending(): Record<string, number>;
  /** Budget status of the last evaluation; each budget lists its instances highest spent first. */
  budgets?(): { status: BudgetStatus; topN: number }[];
}

/**
 * The alerting service's /metrics (docs/metrics.md "Alerting"), one MeterProvider per service
 * instance (no global state, so tests can run several services in one process).
 */
export class AlertingMetrics {
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly provider: MeterProvider;
  private readonly notifications: Counter;
  private readonly evalDuration: Histogram;
  private readonly evalFailures: Counter;
  private lastCycleSeconds: number | undefined;

  constructor(sources: MetricSources) {
    this.provider = new MeterProvider({
      readers: [this.exporter],
      resource: resourceFromAttributes({ 'service.name': 'aihub-alerting' }),
    });
    const meter = this.provider.getMeter('aihub-alerting');
    this.notifications = meter.createCounter('aihub.notifications', {
      description: 'Notification deliveries by channel and outcome',
    });
    // The exporter adds no unit suffix, so the unit is part of the name (docs/metrics.md).
    this.evalDuration = meter.createHistogram('aihub.rule_evaluation_duration_seconds', {
      unit: 's',
      description: 'Time to evaluate one rule',
      advice: { explicitBucketBoundaries: EVAL_BUCKETS },
    });
    this.evalFailures = meter.createCounter('aihub.rule_evaluation_failures', {
      description: 'Rule evaluations that failed',
    });
    meter
      .createObservableGauge('aihub.alerts', { description: 'Alert instances by rule, severity and state' })
      .addCallback((r) => {
        for (const a of sources.alerts())
          r.observe(a.count, { alertname: a.alertname, severity: a.severity, state: a.state });
      });
    meter
      .createObservableGauge('aihub.alerts_firing', {
        description: 'Firing alert instances by severity',
      })
      .addCallback((r) => {
        // Every known severity is reported, 0 included, so "nothing firing" is a value, not a gap.
        const firing = new Map<string, number>(SEVERITIES.map((s) => [s, 0]));
        for (const a of sources.alerts())
          if (a.state === 'firing') firing.set(a.severity, (firing.get(a.severity) ?? 0) + a.count);
        for (const [severity, n] of firing) r.observe(n, { severity });
      });
    meter
      .createObservableGauge('aihub.anomaly_score', {
        description: 'Latest anomaly score per anomaly rule and series (0-1)',
      })
      .addCallback((r) => {
        for (const s of sources.anomalyScores()) r.observe(s.score, { ...s.labels, rule: s.rule });
      });
    meter
      .createObservableGauge('aihub.rule_series_over_limit', {
        description: 'Series a rule matched beyond its max_series at its last evaluation (not evaluated)',
      })
      .addCallback((r) => {
        for (const [rule, n] of sources.seriesOverLimit()) r.observe(n, { rule });
      });
    meter
      .createObservableGauge('aihub.evaluation_cycle_duration_seconds', {
        unit: 's',
        description: 'Wall time of the last evaluation of all rules',
      })
      .addCallback((r) => {
        if (this.lastCycleSeconds !== undefined) r.observe(this.lastCycleSeconds);
      });
    meter
      .createObservableGauge('aihub.notification_outbox_pending', {
        description: 'Notifications waiting for delivery, by channel',
      })
      .addCallback((r) => {
        for (const [channel, n] of Object.entries(sources.outboxPending())) r.observe(n, { channel });
      });
    if (sources.budgets) this.budgetGauges(meter, sources.budgets);
  }

  /**
   * aihub_budget_{spent,limit,forecast}_{usd,tokens} per budget instance, labelled by budget
   * and its `by` labels. Cardinality is bounded: a `by` budget shows only its top N spenders
   * (metrics_top_n), and aihub_budget_instances says how many instances it has in all.
   */
  private budgetGauges(
    meter: ReturnType<MeterProvider['getMeter']>,
    budgets: NonNullable<MetricSources['budgets']>,
  ) {
    const gauge = (name: string, description: string, value: (s: BudgetStatus, i: number) => number | null) =>
      meter.createObservableGauge(name, { description }).addCallback((r) => {
        for (const { status, topN } of budgets()) {
          const shown = status.instances.slice(0, topN);
          for (let i = 0; i < shown.length; i++) {
            const v = value(status, i);
            if (v !== null) r.observe(v, { ...shown[i].labels, budget: status.budget });
          }
        }
      });
    const usd = (s: BudgetStatus) => s.unit === 'usd';
    gauge(
      'aihub.budget_spent_usd',
      'Spend this period per budget instance (USD)',
      (s, i) => s.instances[i].spentUsd,
    );
    gauge('aihub.budget_limit_usd', 'Limit per budget instance (USD budgets)', (s) =>
      usd(s) ? s.limit : null,
    );
    gauge(
      'aihub.budget_forecast_usd',
      'Forecast end-of-period spend per budget instance (USD budgets)',
      (s, i) => (usd(s) ? s.instances[i].forecast : null),
    );
    gauge(
      'aihub.budget_spent_tokens',
      'Tokens this period per budget instance',
      (s, i) => s.instances[i].spentTokens,
    );
    gauge('aihub.budget_limit_tokens', 'Limit per budget instance (token budgets)', (s) =>
      usd(s) ? null : s.limit,
    );
    gauge(
      'aihub.budget_forecast_tokens',
      'Forecast end-of-period tokens per budget instance (token budgets)',
      (s, i) => (usd(s) ? null : s.instances[i].forecast),
    );
    meter
      .createObservableGauge('aihub.budget_instances', {
        description: 'Instances of each budget with spend this period',
      })
      .addCallback((r) => {
        for (const { status } of budgets()) r.observe(status.instances.length, { budget: status.budget });
      });
  }

  notification(channel: string, outcome: NotificationOutcome): void {
    this.notifications.add(1, { channel, outcome });
  }

  ruleEvaluated(rule: string, seconds: number, failed: boolean): void {
    this.evalDuration.record(seconds, { rule });
    // add(0) on success makes the series exist at 0 for every evaluated rule.
    this.evalFailures.add(failed ? 1 : 0, { rule });
  }

  cycleEvaluated(seconds: number): void {
    this.lastCycleSeconds = seconds;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(req, res);
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}
