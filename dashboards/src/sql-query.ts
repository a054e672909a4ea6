// A query for Grafana's PostgreSQL datasource. The foundation SDK ships query builders for
// Prometheus, Loki and friends but none for the SQL datasources, so this is the small one
// the dashboards need: raw SQL in code mode, as the query editor saves it.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { timescaleRef } from './datasources';

export type SqlFormat = 'table' | 'time_series';

export interface SqlQuery extends cog.Dataquery {
  refId: string;
  datasource: DataSourceRef;
  editorMode: 'code';
  format: SqlFormat;
  rawQuery: true;
  rawSql: string;
}

export class SqlQueryBuilder implements cog.Builder<cog.Dataquery> {
  private readonly internal: SqlQuery;

  constructor(rawSql: string) {
    this.internal = {
      refId: 'A',
      datasource: timescaleRef,
      editorMode: 'code',
      format: 'table',
      rawQuery: true,
      rawSql: normaliseSql(rawSql),
      _implementsDataqueryVariant() {},
    };
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  format(format: SqlFormat): this {
    this.internal.format = format;
    return this;
  }

  build(): SqlQuery {
    return this.internal;
  }
}

/** Trims the template-literal indentation so the JSON shows the SQL as one would type it. */
function normaliseSql(sql: string): string {
  const lines = sql.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
