// System: the original plan's monitoring dashboard. Cards for CPU, memory, disk and API
// response time coloured green below 50, yellow below 80 and red above; resource trends;
// network, load and the GPUs of every host.
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finishDashboard, newDashboard } from './dashboard-base';
import { gauge, stat, timeseries, trafficLight } from './panels';
import { datasourceVariable, hostVariable } from './variables';

const HOST = 'host_name=~"$host"';
/** The collector's own API, without the scrape endpoint. */
const API = 'job="aihub-collector", http_route!="/metrics"';

export function systemDashboard(): Dashboard {
  const d = newDashboard({
    uid: 'aihub-system',
    title: 'AI Hub / System',
    description:
      'Hosts and GPUs (CPU, memory, disk, network, load, utilisation, temperature) and API response time and errors.',
    tags: ['system'],
  })
    .withVariable(datasourceVariable())
    .withVariable(hostVariable())
    .withRow(new RowBuilder('Now'))
    .withPanel(
      gauge('CPU', { w: 6, h: 6 }, 'percent', [{ expr: `100 * avg(system_cpu_utilization{${HOST}})` }])
        .min(0)
        .max(100)
        .thresholds(trafficLight()),
    )
    .withPanel(
      gauge('Memory', { w: 6, h: 6 }, 'percent', [{ expr: `100 * avg(system_memory_utilization{${HOST}})` }])
        .min(0)
        .max(100)
        .thresholds(trafficLight()),
    )
    .withPanel(
      gauge('Disk', { w: 6, h: 6 }, 'percent', [
        { expr: `100 * max(system_filesystem_utilization{${HOST}})` },
      ])
        .min(0)
        .max(100)
        .thresholds(trafficLight()),
    )
    .withPanel(
      stat('API response time (p95)', { w: 6, h: 6 }, 'ms', [
        {
          expr: `1000 * histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_bucket{${API}}[$__rate_interval])))`,
        },
      ]).thresholds(trafficLight()),
    )
    .withRow(new RowBuilder('Trends'))
    .withPanel(
      timeseries('CPU, memory and disk', { w: 12, h: 8 }, 'percentunit', [
        { expr: `system_cpu_utilization{${HOST}}`, legend: '{{host_name}} CPU' },
        { expr: `system_memory_utilization{${HOST}}`, legend: '{{host_name}} memory' },
        { expr: `system_filesystem_utilization{${HOST}}`, legend: '{{host_name}} disk' },
      ])
        .min(0)
        .max(1)
        .thresholds(trafficLight(0.5, 0.8)),
    )
    .withPanel(
      timeseries('API response time and error rate', { w: 12, h: 8 }, 'ms', [
        {
          expr: `1000 * histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_bucket{${API}}[$__rate_interval])))`,
          legend: 'p95 {{http_route}}',
        },
        {
          // No 5xx series yet means 0 % errors, not a missing line.
          expr:
            `100 * (sum(rate(http_server_request_duration_count{${API}, http_response_status_code=~"5.."}[$__rate_interval]))` +
            ` or sum(rate(http_server_request_duration_count{${API}}[$__rate_interval])) * 0)` +
            ` / sum(rate(http_server_request_duration_count{${API}}[$__rate_interval]))`,
          legend: 'error %',
        },
      ]).overrideByName('error %', [
        { id: 'unit', value: 'percent' },
        { id: 'custom.axisPlacement', value: 'right' },
      ]),
    )
    .withPanel(
      timeseries('Load average (1 m)', { w: 12, h: 8 }, 'short', [
        { expr: `system_cpu_load_average_1m{${HOST}}`, legend: '{{host_name}}' },
      ]),
    )
    .withPanel(
      timeseries('Network', { w: 12, h: 8 }, 'Bps', [
        {
          expr: `rate(system_network_io{${HOST}}[$__rate_interval])`,
          legend: '{{host_name}} {{network_io_direction}}',
        },
      ]),
    )
    .withRow(new RowBuilder('GPUs'))
    .withPanel(
      timeseries('GPU utilisation', { w: 8, h: 8 }, 'percent', [
        { expr: `100 * hw_gpu_utilization{${HOST}}`, legend: '{{host_name}} GPU {{hw_id}}' },
      ])
        .min(0)
        .max(100)
        .thresholds(trafficLight()),
    )
    .withPanel(
      timeseries('GPU memory', { w: 8, h: 8 }, 'percent', [
        {
          expr: `100 * hw_gpu_memory_usage{${HOST}} / hw_gpu_memory_limit{${HOST}}`,
          legend: '{{host_name}} GPU {{hw_id}}',
        },
      ])
        .min(0)
        .max(100)
        .thresholds(trafficLight()),
    )
    .withPanel(
      timeseries('GPU temperature', { w: 8, h: 8 }, 'celsius', [
        { expr: `hw_temperature{${HOST}}`, legend: '{{host_name}} GPU {{hw_id}}' },
      ]).thresholds(trafficLight()),
    );
  return finishDashboard(d);
}
