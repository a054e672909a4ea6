// What every AI Hub dashboard shares: tags and cross-links, the original plan's time ranges
// (5 m, 1 h, 6 h, 24 h) and 30 s refresh, and stable numeric panel ids.
import {
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  TimePickerBuilder,
  type Dashboard,
} from '@grafana/grafana-foundation-sdk/dashboard';

export const DASHBOARD_TAG = 'aihub';

export interface DashboardIdentity {
  uid: string;
  title: string;
  description: string;
  tags: string[];
}

export function newDashboard(id: DashboardIdentity): DashboardBuilder {
  return new DashboardBuilder(id.title)
    .uid(id.uid)
    .description(id.description)
    .tags([DASHBOARD_TAG, ...id.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .timezone('browser')
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timepicker(new TimePickerBuilder().refreshIntervals(['10s', '30s', '1m', '5m', '15m', '1h']))
    .link(
      new DashboardLinkBuilder('AI Hub')
        .type(DashboardLinkType.Dashboards)
        .tags([DASHBOARD_TAG])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true),
    );
}

/**
 * Builds the dashboard and numbers its panels 1..n in layout order. Grafana needs ids unique
 * within a dashboard; numbering them here keeps the generated JSON stable between builds.
 */
export function finishDashboard(builder: DashboardBuilder): Dashboard {
  const built = builder.build();
  let next = 1;
  for (const panel of built.panels ?? []) {
    panel.id = next++;
    for (const nested of (panel as { panels?: { id?: number }[] }).panels ?? []) nested.id = next++;
  }
  return built;
}
