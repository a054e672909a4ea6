// Alerts & anomalies: what is firing or pending, how surprising each watched series is right
// now, the incident history from the database and whether notifications get out.
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finishDashboard, newDashboard } from './dashboard-base';
import { sqlTable, sqlTimeseries, stat, timeseries, trafficLight } from './panels';
import { datasourceVariable } from './variables';

export function alertsDashboard(): Dashboard {
  const d = newDashboard({
    uid: 'aihub-alerts',
    title: 'AI Hub / Alerts & anomalies',
    description: 'Firing and pending alerts, anomaly scores, incidents and notification delivery.',
    tags: ['alerts'],
  })
    .withVariable(datasourceVariable())
    .withRow(new RowBuilder('Alerts'))
    .withPanel(
      stat('Firing by severity', { w: 8, h: 5 }, 'none', [
        { expr: 'sum by (severity) (aihub_alerts{state="firing"})', legend: '{{severity}}' },
      ]).thresholds(trafficLight(1, 5)),
    )
    .withPanel(
      stat('Pending by severity', { w: 8, h: 5 }, 'none', [
        { expr: 'sum by (severity) (aihub_alerts{state="pending"})', legend: '{{severity}}' },
      ]).thresholds(trafficLight(1, 5)),
    )
    .withPanel(
      stat('Notification outbox backlog', { w: 8, h: 5 }, 'none', [
        { expr: 'sum(aihub_notification_outbox_pending)' },
      ]).thresholds(trafficLight(10, 100)),
    )
    .withPanel(
      timeseries('Alerts by severity and state', { w: 12, h: 8 }, 'none', [
        { expr: 'sum by (severity, state) (aihub_alerts)', legend: '{{severity}} {{state}}' },
      ]),
    )
    .withPanel(
      timeseries('Anomaly score per rule and series', { w: 12, h: 8 }, 'percentunit', [
        { expr: 'aihub_anomaly_score', legend: '{{rule}} {{__name__}}' },
      ])
        .min(0)
        .max(1)
        .thresholds(trafficLight(0.8, 0.95)),
    )
    .withRow(new RowBuilder('Incidents'))
    .withPanel(
      sqlTimeseries(
        'Incidents opened',
        { w: 12, h: 8 },
        'none',
        `
        SELECT $__timeGroupAlias(triggered_at, $__interval), severity AS metric, count(*) AS value
        FROM alert_incidents
        WHERE $__timeFilter(triggered_at)
        GROUP BY 1, 2
        ORDER BY 1
        `,
      ),
    )
    .withPanel(
      sqlTable(
        'Incidents',
        { w: 12, h: 8 },
        `
        SELECT triggered_at AS triggered, rule, severity, status,
               trigger_value AS "trigger value", last_value AS "last value",
               annotations->>'summary' AS summary, resolved_at AS resolved,
               acknowledged_by AS "acknowledged by", labels
        FROM alert_incidents
        WHERE $__timeFilter(triggered_at) OR status <> 'resolved'
        ORDER BY triggered_at DESC
        LIMIT 200
        `,
      ),
    )
    .withRow(new RowBuilder('Notifications and evaluation'))
    .withPanel(
      timeseries('Notifications by channel and status', { w: 12, h: 8 }, 'short', [
        {
          expr: 'sum by (channel, status) (increase(aihub_notifications_total[$__rate_interval]))',
          legend: '{{channel}} {{status}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Rule evaluation p95 and failures', { w: 12, h: 8 }, 's', [
        {
          expr: 'histogram_quantile(0.95, sum by (le, rule) (rate(aihub_rule_evaluation_duration_bucket[$__rate_interval])))',
          legend: 'p95 {{rule}}',
        },
        {
          expr: 'sum by (rule) (increase(aihub_rule_evaluation_failures_total[$__rate_interval]))',
          legend: 'failures {{rule}}',
        },
      ]).overrideByRegexp('^failures', [
        { id: 'unit', value: 'short' },
        { id: 'custom.axisPlacement', value: 'right' },
      ]),
    );
  return finishDashboard(d);
}
