// Overview: is everything up, is anything on fire, and the handful of numbers an on-call
// engineer wants first (traffic, errors, spend, training, hosts).
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { FIRING_BY_SEVERITY } from './alerts';
import { finishDashboard, newDashboard } from './dashboard-base';
import { stat, timeseries, trafficLight, upStat } from './panels';
import { datasourceVariable, hostVariable, modelVariable, providerVariable } from './variables';

const LLM = 'gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"';

export function overviewDashboard(): Dashboard {
  const d = newDashboard({
    uid: 'aihub-overview',
    title: 'AI Hub / Overview',
    description: 'Service health, firing alerts, LLM traffic and spend, training runs and hosts at a glance.',
    tags: ['overview'],
  })
    .withVariable(datasourceVariable())
    .withVariable(providerVariable())
    .withVariable(modelVariable())
    .withVariable(hostVariable())
    .withRow(new RowBuilder('Services and alerts'))
    .withPanel(upStat('Collector', { w: 4, h: 4 }, 'aihub-collector'))
    .withPanel(upStat('Alerting', { w: 4, h: 4 }, 'aihub-alerting'))
    .withPanel(
      stat('Firing alerts by severity', { w: 8, h: 4 }, 'none', [
        { expr: FIRING_BY_SEVERITY, legend: '{{severity}}' },
      ]).thresholds(trafficLight(1, 5)),
    )
    .withPanel(
      stat('Active training runs', { w: 8, h: 4 }, 'none', [
        { expr: 'count(count by (run_id) (aihub_training_loss))' },
      ]),
    )
    .withRow(new RowBuilder('LLM traffic'))
    .withPanel(
      stat('LLM requests/s', { w: 6, h: 5 }, 'reqps', [
        { expr: `sum(rate(aihub_llm_requests_total{${LLM}}[$__rate_interval]))` },
      ]),
    )
    .withPanel(
      stat('LLM error rate', { w: 6, h: 5 }, 'percentunit', [
        {
          expr: `sum(rate(aihub_llm_requests_total{${LLM}, status="error"}[$__rate_interval])) / sum(rate(aihub_llm_requests_total{${LLM}}[$__rate_interval]))`,
        },
      ]).thresholds(trafficLight(0.05, 0.1)),
    )
    .withPanel(
      stat('Spend per hour', { w: 6, h: 5 }, 'currencyUSD', [
        { expr: `sum(provider_model:aihub_llm_cost_usd_per_hour:rate5m{${LLM}})` },
      ]),
    )
    .withPanel(
      stat('LLM p95 latency', { w: 6, h: 5 }, 's', [
        {
          expr: `histogram_quantile(0.95, sum by (le) (rate(gen_ai_client_operation_duration_bucket{${LLM}}[$__rate_interval])))`,
        },
      ]).thresholds(trafficLight(2, 5)),
    )
    .withRow(new RowBuilder('Hosts'))
    .withPanel(
      timeseries('Host CPU', { w: 12, h: 8 }, 'percentunit', [
        { expr: 'system_cpu_utilization{host_name=~"$host"}', legend: '{{host_name}}' },
      ])
        .min(0)
        .max(1),
    )
    .withPanel(
      timeseries('Host memory', { w: 12, h: 8 }, 'percentunit', [
        { expr: 'system_memory_utilization{host_name=~"$host"}', legend: '{{host_name}}' },
      ])
        .min(0)
        .max(1),
    );
  return finishDashboard(d);
}
