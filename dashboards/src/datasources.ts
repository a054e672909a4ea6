// Datasource references shared by every dashboard. The uids are the ones provisioning/grafana/
// datasources/aihub.yaml creates, so a provisioned Grafana resolves them without any clicking.
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const PROMETHEUS_UID = 'aihub-prometheus';
export const TIMESCALEDB_UID = 'aihub-timescaledb';

/** Grafana's plugin id for its built-in PostgreSQL datasource (Grafana 10.3 and later). */
export const POSTGRES_TYPE = 'grafana-postgresql-datasource';

/** Name of the dashboard variable that picks the Prometheus datasource. */
export const PROMETHEUS_VARIABLE = 'datasource';

/** Prometheus panels go through the `$datasource` variable, whose default is aihub-prometheus. */
export const prometheusRef: DataSourceRef = { type: 'prometheus', uid: `\${${PROMETHEUS_VARIABLE}}` };

/** SQL panels query the provisioned TimescaleDB datasource directly. */
export const timescaleRef: DataSourceRef = { type: POSTGRES_TYPE, uid: TIMESCALEDB_UID };
