// Lists every query of a dashboard JSON as Grafana would run it: which datasource, PromQL or
// SQL, range or instant. Tests use it to execute each target against real backends.
import { POSTGRES_TYPE } from './datasources';

export interface DashboardTargetBase {
  dashboardUid: string;
  panelId: number;
  panelTitle: string;
  refId: string;
  datasourceUid: string;
}

export interface PromTargetRef extends DashboardTargetBase {
  kind: 'prometheus';
  expr: string;
  instant: boolean;
  /** Grafana's legend template (`{{label}}`), `__auto` or empty. */
  legendFormat: string;
}

export interface SqlTargetRef extends DashboardTargetBase {
  kind: 'sql';
  rawSql: string;
  format: 'table' | 'time_series';
}

export type DashboardTarget = PromTargetRef | SqlTargetRef;

interface DatasourceRefJson {
  type?: string;
  uid?: string;
}

interface PanelJson {
  id?: number;
  type?: string;
  title?: string;
  datasource?: DatasourceRefJson | null;
  targets?: Array<Record<string, unknown> & { refId?: string; datasource?: DatasourceRefJson }>;
  panels?: PanelJson[];
}

export interface DashboardJson {
  uid: string;
  panels?: PanelJson[];
  [key: string]: unknown;
}

/** Panels including those nested in collapsed rows. */
export function allPanels(dashboard: DashboardJson): PanelJson[] {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

export function extractTargets(dashboard: DashboardJson): DashboardTarget[] {
  const out: DashboardTarget[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      const ds = target.datasource ?? panel.datasource ?? undefined;
      const base: DashboardTargetBase = {
        dashboardUid: dashboard.uid,
        panelId: panel.id ?? -1,
        panelTitle: panel.title ?? '',
        refId: target.refId ?? '',
        datasourceUid: ds?.uid ?? '',
      };
      if (ds?.type === 'prometheus' && typeof target.expr === 'string') {
        out.push({
          ...base,
          kind: 'prometheus',
          expr: target.expr,
          instant: target.instant === true && target.range !== true,
          legendFormat: typeof target.legendFormat === 'string' ? target.legendFormat : '',
        });
      } else if (
        (ds?.type === POSTGRES_TYPE || ds?.type === 'postgres') &&
        typeof target.rawSql === 'string'
      ) {
        out.push({
          ...base,
          kind: 'sql',
          rawSql: target.rawSql,
          format: target.format === 'time_series' ? 'time_series' : 'table',
        });
      } else {
        throw new Error(
          `${dashboard.uid} panel ${base.panelId} "${base.panelTitle}" target ${base.refId}: unknown datasource type ${ds?.type ?? '(none)'}`,
        );
      }
    }
  }
  return out;
}
