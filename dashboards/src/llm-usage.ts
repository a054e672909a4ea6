// LLM usage & cost: traffic, latency, errors and spend per provider and model. Per-request
// detail (users, sessions) lives only in the llm_requests table, never in Prometheus labels,
// so the "who" questions are answered with SQL.
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finishDashboard, newDashboard } from './dashboard-base';
import { barGauge, sqlTable, stat, timeseries, trafficLight } from './panels';
import { datasourceVariable, modelVariable, providerVariable } from './variables';

const LLM = 'gen_ai_provider_name=~"$provider", gen_ai_request_model=~"$model"';
const BY_MODEL = 'gen_ai_provider_name, gen_ai_request_model';
const MODEL_LEGEND = '{{gen_ai_provider_name}}/{{gen_ai_request_model}}';
const SQL_FILTER = `provider ~ '^(\${provider:regex})$' AND model ~ '^(\${model:regex})$'`;

function quantileByModel(metric: string, q: number) {
  return {
    expr: `histogram_quantile(${q}, sum by (le, ${BY_MODEL}) (rate(${metric}_bucket{${LLM}}[$__rate_interval])))`,
    legend: `p${Math.round(q * 100)} ${MODEL_LEGEND}`,
  };
}

export function llmUsageDashboard(): Dashboard {
  const d = newDashboard({
    uid: 'aihub-llm',
    title: 'AI Hub / LLM usage & cost',
    description:
      'Requests, tokens, latency, time to first token, errors, cache hits and spend by provider and model.',
    tags: ['llm'],
  })
    .withVariable(datasourceVariable())
    .withVariable(providerVariable())
    .withVariable(modelVariable())
    .withRow(new RowBuilder('Traffic'))
    .withPanel(
      timeseries('Requests/s by model', { w: 12, h: 8 }, 'reqps', [
        {
          expr: `sum by (${BY_MODEL}) (rate(aihub_llm_requests_total{${LLM}}[$__rate_interval]))`,
          legend: MODEL_LEGEND,
        },
      ]),
    )
    .withPanel(
      timeseries('Tokens/s by model and type', { w: 12, h: 8 }, 'short', [
        {
          expr: `sum by (${BY_MODEL}, gen_ai_token_type) (rate(gen_ai_client_token_usage_sum{${LLM}}[$__rate_interval]))`,
          legend: `${MODEL_LEGEND} {{gen_ai_token_type}}`,
        },
      ]),
    )
    .withRow(new RowBuilder('Latency'))
    .withPanel(
      timeseries('Latency p50 / p95 / p99 by model', { w: 12, h: 8 }, 's', [
        quantileByModel('gen_ai_client_operation_duration', 0.5),
        quantileByModel('gen_ai_client_operation_duration', 0.95),
        quantileByModel('gen_ai_client_operation_duration', 0.99),
      ]),
    )
    .withPanel(
      timeseries('Time to first token p50 / p95 by model', { w: 12, h: 8 }, 's', [
        quantileByModel('aihub_llm_time_to_first_token', 0.5),
        quantileByModel('aihub_llm_time_to_first_token', 0.95),
      ]),
    )
    .withRow(new RowBuilder('Errors and cache'))
    .withPanel(
      timeseries('Error rate by provider and error type', { w: 8, h: 8 }, 'percentunit', [
        {
          expr:
            `sum by (gen_ai_provider_name, error_type) (rate(aihub_llm_requests_total{${LLM}, status="error"}[$__rate_interval]))` +
            ` / ignoring (error_type) group_left sum by (gen_ai_provider_name) (rate(aihub_llm_requests_total{${LLM}}[$__rate_interval]))`,
          legend: '{{gen_ai_provider_name}} {{error_type}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Error ratio by model (5 m)', { w: 8, h: 8 }, 'percentunit', [
        { expr: `provider_model:aihub_llm_errors:ratio_rate5m{${LLM}}`, legend: MODEL_LEGEND },
      ]).thresholds(trafficLight(0.05, 0.1)),
    )
    .withPanel(
      timeseries('Cache hit rate by model', { w: 8, h: 8 }, 'percentunit', [
        {
          // A model without any cache hit has no hits series: count it as 0 %, not as missing.
          expr:
            `(sum by (${BY_MODEL}) (rate(aihub_llm_cache_hits_total{${LLM}}[$__rate_interval]))` +
            ` or sum by (${BY_MODEL}) (rate(aihub_llm_requests_total{${LLM}}[$__rate_interval])) * 0)` +
            ` / sum by (${BY_MODEL}) (rate(aihub_llm_requests_total{${LLM}}[$__rate_interval]))`,
          legend: MODEL_LEGEND,
        },
      ])
        .min(0)
        .max(1),
    )
    .withRow(new RowBuilder('Cost'))
    .withPanel(
      stat('Spend per hour', { w: 6, h: 8 }, 'currencyUSD', [
        { expr: `sum(provider_model:aihub_llm_cost_usd_per_hour:rate5m{${LLM}})` },
      ]),
    )
    .withPanel(
      timeseries('Cost per hour by model', { w: 18, h: 8 }, 'currencyUSD', [
        { expr: `provider_model:aihub_llm_cost_usd_per_hour:rate5m{${LLM}}`, legend: MODEL_LEGEND },
      ]),
    )
    .withPanel(
      // Budget instances as the alerting service exposes them: a per-user budget shows only its
      // top spenders (metrics_top_n), a budget without `by` its one total.
      barGauge('Budgets: spent this period, % of limit', { w: 24, h: 8 }, 'percent', [
        {
          expr: '100 * aihub_budget_spent_usd{user_id!=""} / aihub_budget_limit_usd',
          legend: '{{budget}} {{user_id}}',
        },
        { expr: '100 * aihub_budget_spent_usd{user_id=""} / aihub_budget_limit_usd', legend: '{{budget}}' },
      ])
        .min(0)
        .max(100)
        .thresholds(trafficLight(50, 80)),
    )
    .withPanel(
      sqlTable(
        'Spend by model: today and last 7 days',
        { w: 12, h: 9 },
        // Seven days of requests: read from the per-minute rollup (a continuous aggregate on TimescaleDB).
        `
        SELECT provider, model,
               coalesce(sum(cost_usd) FILTER (WHERE bucket >= date_trunc('day', now())), 0) AS "today USD",
               coalesce(sum(cost_usd), 0) AS "7 days USD",
               sum(unpriced) AS "unpriced requests"
        FROM llm_rollup_1m
        WHERE bucket >= date_trunc('minute', now() - interval '7 days') AND ${SQL_FILTER}
        GROUP BY provider, model
        ORDER BY "7 days USD" DESC
        `,
      ),
    )
    .withPanel(
      sqlTable(
        'Top users by cost',
        { w: 12, h: 9 },
        `
        SELECT user_id AS "user", count(*) AS requests,
               sum(input_tokens + output_tokens) AS tokens,
               round(sum(coalesce(cost_usd, 0))::numeric, 4) AS "cost USD",
               round((100.0 * count(*) FILTER (WHERE status = 'error') / count(*))::numeric, 1) AS "error %"
        FROM llm_requests
        WHERE $__timeFilter(time) AND user_id IS NOT NULL AND ${SQL_FILTER}
        GROUP BY user_id
        ORDER BY "cost USD" DESC
        LIMIT 20
        `,
      ),
    );
  return finishDashboard(d);
}
