// Alerts & anomalies: what is firing or pending, how surprising each watched series is right
// now, the incident history from the database and whether notifications get out.
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finishDashboard, newDashboard } from './dashboard-base';
import { sqlTable, sqlTimeseries, stat, timeseries, trafficLight } from './panels';
import { datasourceVariable } from './variables';

/** aihub_alerts_firing reports every severity, 0 included: "nothing firing" is a value. */
export const FIRING_BY_SEVERITY = 'sum by (severity) (aihub_alerts_firing)';
/** Pending instances per severity, 0 for the severities aihub_alerts_firing knows. */
export const PENDING_BY_SEVERITY =
  'sum by (severity) (aihub_alerts{state="pending"}) or sum by (severity) (0 * aihub_alerts_firing)';

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
        { expr: FIRING_BY_SEVERITY, legend: '{{severity}}' },
      ]).thresholds(trafficLight(1, 5)),
    )
    .withPanel(
      stat('Pending by severity', { w: 8, h: 5 }, 'none', [
        { expr: PENDING_BY_SEVERITY, legend: '{{severity}}' },
      ]).thresholds(trafficLight(1, 5)),
    )
    .withPanel(
      stat('Notification outbox backlog', { w: 8, h: 5 }, 'none', [
        // The gauge lists only channels with rows waiting: an alerting service that is scraped
        // and lists none has an empty outbox.
        { expr: 'sum(aihub_notification_outbox_pending) or 0 * max(up{job="aihub-alerting"} == 1)' },
      ]).thresholds(trafficLight(10, 100)),
    )
    .withPanel(
      timeseries('Alerts by severity and state', { w: 12, h: 8 }, 'none', [
        { expr: 'sum by (severity, state) (aihub_alerts)', legend: '{{severity}} {{state}}' },
      ]),
    )
    .withPanel(
      timeseries('Anomaly score per rule and series', { w: 12, h: 8 }, 'percentunit', [
        // The series' own labels differ per rule; Grafana's automatic legend shows them all.
        { expr: 'aihub_anomaly_score' },
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
      timeseries('Notifications by channel and outcome', { w: 12, h: 8 }, 'short', [
        {
          expr: 'sum by (channel, outcome) (increase(aihub_notifications_total[$__rate_interval]))',
          legend: '{{channel}} {{outcome}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Rule evaluation p95 and failures', { w: 12, h: 8 }, 's', [
        {
          expr: 'histogram_quantile(0.95, sum by (le, rule) (rate(aihub_rule_evaluation_duration_seconds_bucket[$__rate_interval])))',
          legend: 'p95 {{rule}}',
        },
        {
          // The failures counter only exists once a rule has failed: 0 for every rule evaluated.
          expr:
            'sum by (rule) (increase(aihub_rule_evaluation_failures_total[$__rate_interval]))' +
            ' or sum by (rule) (0 * increase(aihub_rule_evaluation_duration_seconds_count[$__rate_interval]))',
          legend: 'failures {{rule}}',
        },
      ]).overrideByRegexp('^failures', [
        { id: 'unit', value: 'short' },
        { id: 'custom.axisPlacement', value: 'right' },
      ]),
    );
  return finishDashboard(d);
}
