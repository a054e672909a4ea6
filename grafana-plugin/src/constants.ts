import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PANEL_ID = 'aihub-llmanalysis-panel';
export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Every call to the services goes through Grafana's plugin proxy, which adds the bearer token. */
export const PROXY_BASE = `/api/plugin-proxy/${PLUGIN_ID}`;

export enum ROUTES {
  Overview = 'overview',
  Assistant = 'assistant',
  Alerts = 'alerts',
  LiveTraining = 'live-training',
}

/** UIDs of the dashboards shipped under dashboards/ and provisioned into Grafana. */
export const DASHBOARDS = {
  overview: { uid: 'aihub-overview', title: 'AI Hub / Overview' },
  llm: { uid: 'aihub-llm', title: 'AI Hub / LLM usage & cost' },
  training: { uid: 'aihub-training', title: 'AI Hub / Training runs' },
  system: { uid: 'aihub-system', title: 'AI Hub / System' },
} as const;

/** The dashboard that shows a metric, chosen by the metric's family prefix. */
export function dashboardForMetric(metric: string | undefined): (typeof DASHBOARDS)[keyof typeof DASHBOARDS] {
  if (!metric) {
    return DASHBOARDS.overview;
  }
  if (metric.startsWith('training_')) {
    return DASHBOARDS.training;
  }
  if (metric.startsWith('llm_') || metric.startsWith('gen_ai_')) {
    return DASHBOARDS.llm;
  }
  if (metric.startsWith('system_')) {
    return DASHBOARDS.system;
  }
  return DASHBOARDS.overview;
}

export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}
