// Template variables. Every label filter is multi-valued with "All" mapped to `.*`, so a
// panel writes one regex matcher (`label=~"$var"` in PromQL, `col ~ '^(${var:regex})$'` in
// SQL) that works for one value, several values and All alike.
import {
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  TextBoxVariableBuilder,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS_UID, PROMETHEUS_VARIABLE, prometheusRef } from './datasources';

export const ALL_VALUE = '.*';

export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder(PROMETHEUS_VARIABLE)
    .label('Prometheus')
    .type('prometheus')
    .current({ selected: true, text: 'Prometheus', value: PROMETHEUS_UID });
}

/** A multi-valued label filter whose options come from Prometheus label values. */
function labelVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(prometheusRef)
    .query({ qryType: 1, query, refId: `PrometheusVariableQueryEditor-${name}` })
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(ALL_VALUE)
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}

export const providerVariable = () =>
  labelVariable('provider', 'Provider', 'label_values(aihub_llm_requests_total, gen_ai_provider_name)');

export const modelVariable = () =>
  labelVariable(
    'model',
    'Model',
    'label_values(aihub_llm_requests_total{gen_ai_provider_name=~"$provider"}, gen_ai_request_model)',
  );

export const runVariable = () => labelVariable('run_id', 'Run', 'label_values(aihub_training_loss, run_id)');

export const hostVariable = () =>
  labelVariable('host', 'Host', 'label_values(system_cpu_utilization, host_name)');

/** Prometheus has no notion of a run's planned length, so the ETA panel asks for it. */
export const totalEpochsVariable = () =>
  new TextBoxVariableBuilder('total_epochs')
    .label('Planned epochs')
    .defaultValue('100')
    .current({ selected: true, text: '100', value: '100' });
