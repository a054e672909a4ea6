// Panel constructors with the house defaults (units, legends, thresholds, datasources), so
// the dashboard files read as a list of questions and the queries that answer them.
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  MappingType,
  PanelBuilder as RawPanelBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanelBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as GaugePanelBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { prometheusRef, timescaleRef } from './datasources';
import { SqlQueryBuilder, type SqlFormat } from './sql-query';

export interface Size {
  w: number;
  h: number;
}

export interface PromTarget {
  expr: string;
  legend?: string;
  /** Evaluate once at the end of the range (stat, gauge and bar panels). */
  instant?: boolean;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function promQuery(target: PromTarget, index: number): DataqueryBuilder {
  const q = new DataqueryBuilder()
    .datasource(prometheusRef)
    .refId(REF_IDS[index])
    .expr(target.expr)
    .legendFormat(target.legend ?? '__auto');
  return target.instant ? q.instant() : q.range();
}

/** Green below 50, yellow below 80, red above: the original plan's colour bands. */
export function trafficLight(yellow = 50, red = 80): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null as unknown as number, color: 'green' },
    { value: yellow, color: 'yellow' },
    { value: red, color: 'red' },
  ]);
}

export function timeseries(
  title: string,
  size: Size,
  unit: string,
  targets: PromTarget[],
): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .datasource(prometheusRef)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    )
    .targets(targets.map(promQuery));
}

export function stat(title: string, size: Size, unit: string, targets: PromTarget[]): StatPanelBuilder {
  return new StatPanelBuilder()
    .title(title)
    .datasource(prometheusRef)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(targets.map((t, i) => promQuery({ instant: true, ...t }, i)));
}

export function gauge(title: string, size: Size, unit: string, targets: PromTarget[]): GaugePanelBuilder {
  return new GaugePanelBuilder()
    .title(title)
    .datasource(prometheusRef)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(targets.map((t, i) => promQuery({ instant: true, ...t }, i)));
}

export function barGauge(
  title: string,
  size: Size,
  unit: string,
  targets: PromTarget[],
): BarGaugePanelBuilder {
  return new BarGaugePanelBuilder()
    .title(title)
    .datasource(prometheusRef)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(targets.map((t, i) => promQuery({ instant: true, ...t }, i)));
}

/** A table over SQL against TimescaleDB. */
export function sqlTable(title: string, size: Size, sql: string): TablePanelBuilder {
  return new TablePanelBuilder()
    .title(title)
    .datasource(timescaleRef)
    .span(size.w)
    .height(size.h)
    .withTarget(new SqlQueryBuilder(sql).format('table'));
}

/** A time series over SQL (history that outlives Prometheus' live window). */
export function sqlTimeseries(
  title: string,
  size: Size,
  unit: string,
  sql: string,
  format: SqlFormat = 'time_series',
): TimeseriesPanelBuilder {
  return new TimeseriesPanelBuilder()
    .title(title)
    .datasource(timescaleRef)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom),
    )
    .withTarget(new SqlQueryBuilder(sql).format(format));
}

/** A panel of a plugin type the SDK has no builder for (the app's LLM analysis panel). */
export function pluginPanel(
  type: string,
  title: string,
  size: Size,
  options: Record<string, unknown>,
  targets: PromTarget[],
): RawPanelBuilder {
  return new RawPanelBuilder()
    .type(type)
    .title(title)
    .datasource(prometheusRef)
    .span(size.w)
    .height(size.h)
    .options(options)
    .targets(targets.map(promQuery));
}

/** UP/DOWN for a scrape job: red when Prometheus cannot reach any of its targets. */
export function upStat(name: string, size: Size, job: string): StatPanelBuilder {
  return stat(`${name} up`, size, 'none', [{ expr: `max(up{job="${job}"})` }])
    .graphMode(common.BigValueGraphMode.None)
    .colorMode(common.BigValueColorMode.Background)
    .mappings([
      {
        type: MappingType.ValueToText,
        options: {
          '0': { text: 'DOWN', color: 'red', index: 0 },
          '1': { text: 'UP', color: 'green', index: 1 },
        },
      },
    ])
    .thresholds(
      new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
        { value: null as unknown as number, color: 'red' },
        { value: 1, color: 'green' },
      ]),
    );
}

export type AnyPanel = { build(): dashboard.Panel };
