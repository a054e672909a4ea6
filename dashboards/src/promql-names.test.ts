import { documentedMetricNames, labelUses, metricNames } from './promql-names';

describe('metricNames', () => {
  it('finds selected metrics and ignores functions, labels, grouping and variables', () => {
    const expr =
      'sum by (gen_ai_provider_name, error_type) (rate(aihub_llm_requests_total{gen_ai_provider_name=~"$provider", status="error"}[$__rate_interval]))' +
      ' / ignoring (error_type) group_left sum by (gen_ai_provider_name) (rate(aihub_llm_requests_total[5m]))';
    expect(metricNames(expr)).toEqual(['aihub_llm_requests_total']);
  });

  it('finds bare selectors and recording-rule names with colons', () => {
    expect(metricNames('sum by (severity, state) (aihub_alerts)')).toEqual(['aihub_alerts']);
    expect(metricNames('sum(provider_model:aihub_llm_cost_usd_per_hour:rate5m{x="y"}) or vector(0)')).toEqual(
      ['provider_model:aihub_llm_cost_usd_per_hour:rate5m'],
    );
    expect(
      metricNames(
        'clamp_min($total_epochs - aihub_training_epoch{run_id=~"$run_id"}, 0) / clamp_min(x, 1e-9) * 2.5e3',
      ),
    ).toEqual(['aihub_training_epoch', 'x']);
  });
});

describe('documentedMetricNames', () => {
  it('reads names from the first table column and expands brace alternatives', () => {
    const md = [
      '| name | type | labels |',
      '|---|---|---|',
      '| `gen_ai_client_token_usage_{bucket,sum,count}` | histogram | `gen_ai_token_type` |',
      '| `aihub_training_learning_rate`, `aihub_training_epoch` | `run_id` |',
      'prose with `not_a_table_name`',
    ].join('\n');
    expect([...documentedMetricNames(md)].sort()).toEqual([
      'aihub_training_epoch',
      'aihub_training_learning_rate',
      'gen_ai_client_token_usage_bucket',
      'gen_ai_client_token_usage_count',
      'gen_ai_client_token_usage_sum',
    ]);
  });
});

describe('labelUses', () => {
  it('finds matcher labels per metric and grouping labels, ignoring label values', () => {
    const expr =
      'sum by (gen_ai_provider_name, error_type) (rate(aihub_llm_requests_total{gen_ai_provider_name=~"$provider", status="error"}[$__rate_interval]))' +
      ' / ignoring (error_type) group_left sum by (gen_ai_provider_name) (rate(aihub_llm_requests_total{gen_ai_provider_name=~"a,b=c}"}[5m]))';
    expect(labelUses(expr)).toEqual({
      matchers: [
        { metric: 'aihub_llm_requests_total', label: 'gen_ai_provider_name' },
        { metric: 'aihub_llm_requests_total', label: 'status' },
      ],
      grouping: ['gen_ai_provider_name', 'error_type'],
    });
  });

  it('handles recording-rule names, negative matchers and bare aggregations', () => {
    expect(
      labelUses('sum(provider_model:aihub_llm_cost_usd_per_hour:rate5m{http_route!="/metrics", x!~"5.."})'),
    ).toEqual({
      matchers: [
        { metric: 'provider_model:aihub_llm_cost_usd_per_hour:rate5m', label: 'http_route' },
        { metric: 'provider_model:aihub_llm_cost_usd_per_hour:rate5m', label: 'x' },
      ],
      grouping: [],
    });
    expect(labelUses('count(count by (run_id) (aihub_training_loss))')).toEqual({
      matchers: [],
      grouping: ['run_id'],
    });
  });
});
