// The dashboards this package generates, with the file each is written to.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { alertsDashboard } from './alerts';
import { llmUsageDashboard } from './llm-usage';
import { overviewDashboard } from './overview';
import { systemDashboard } from './system';
import { trainingDashboard } from './training';

export interface CatalogEntry {
  file: string;
  build: () => Dashboard;
}

export const catalog: CatalogEntry[] = [
  { file: 'overview.json', build: overviewDashboard },
  { file: 'llm-usage.json', build: llmUsageDashboard },
  { file: 'training.json', build: trainingDashboard },
  { file: 'system.json', build: systemDashboard },
  { file: 'alerts.json', build: alertsDashboard },
];

/** The exact file content: stable key order from the builders, two-space indent, newline. */
export function renderDashboard(dashboard: Dashboard): string {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}
