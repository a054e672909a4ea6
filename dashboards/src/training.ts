// Training runs: the curves an ML engineer watches (loss, accuracy, learning rate, gradient
// norm), the resources behind them, the plugin's LLM analysis of the loss curves, and the
// run history from the database.
import * as common from '@grafana/grafana-foundation-sdk/common';
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { finishDashboard, newDashboard } from './dashboard-base';
import { pluginPanel, sqlTable, sqlTimeseries, stat, timeseries } from './panels';
import { datasourceVariable, runVariable, totalEpochsVariable } from './variables';

export const LLM_ANALYSIS_PANEL = 'aihub-llmanalysis-panel';

const RUN = 'run_id=~"$run_id"';

// Minute boundaries of the time range: the first at or after its start, the last at or before
// its end (never before the first). Stable expressions: the planner uses them as index bounds.
const FIRST_MINUTE = `date_trunc('minute', $__timeFrom()::timestamptz + interval '59.999999 seconds')`;
const LAST_MINUTE = `greatest(${FIRST_MINUTE}, date_trunc('minute', $__timeTo()::timestamptz))`;
const WHOLE_MINUTES = '$__interval_ms % 60000 = 0';

/**
 * Loss per interval. When the interval is whole minutes (every step then holds whole minute
 * buckets) the minutes wholly inside the range come from metric_rollup_1m and only the fringes
 * before the first and after the last minute boundary from raw samples, like the core rollup
 * planner; otherwise raw samples only. The conditions on $__interval_ms are constants, so
 * PostgreSQL drops the branches that do not apply.
 */
export const LOSS_HISTORY_SQL = `
        WITH sel AS MATERIALIZED (
          SELECT id, (labels->>'run_id') || ' ' || replace(name, 'training_', '') AS metric
          FROM metric_series
          WHERE name IN ('training_train_loss', 'training_val_loss')
            AND labels->>'run_id' ~ '^(\${run_id:regex})$'
        ),
        p (time, series_id, n, sum) AS (
          SELECT bucket, series_id, n, sum FROM metric_rollup_1m
          WHERE ${WHOLE_MINUTES} AND series_id IN (SELECT id FROM sel)
            AND bucket >= ${FIRST_MINUTE} AND bucket < ${LAST_MINUTE}
          UNION ALL
          SELECT time, series_id, 1, value FROM metric_samples
          WHERE ${WHOLE_MINUTES} AND series_id IN (SELECT id FROM sel)
            AND time >= $__timeFrom() AND time < ${FIRST_MINUTE} AND time <= $__timeTo()
          UNION ALL
          SELECT time, series_id, 1, value FROM metric_samples
          WHERE ${WHOLE_MINUTES} AND series_id IN (SELECT id FROM sel)
            AND time >= ${LAST_MINUTE} AND time <= $__timeTo()
          UNION ALL
          SELECT time, series_id, 1, value FROM metric_samples
          WHERE NOT (${WHOLE_MINUTES}) AND series_id IN (SELECT id FROM sel) AND $__timeFilter(time)
        )
        SELECT $__timeGroupAlias(p.time, $__interval), sel.metric, sum(p.sum) / sum(p.n) AS value
        FROM p JOIN sel ON sel.id = p.series_id
        GROUP BY 1, 2
        ORDER BY 1
        `;

export function trainingDashboard(): Dashboard {
  const d = newDashboard({
    uid: 'aihub-training',
    title: 'AI Hub / Training runs',
    description:
      'Loss and accuracy curves, optimiser signals, GPU memory and throughput per run, with LLM analysis.',
    tags: ['training'],
  })
    .withVariable(datasourceVariable())
    .withVariable(runVariable())
    .withVariable(totalEpochsVariable())
    .withRow(new RowBuilder('Progress'))
    .withPanel(
      stat('Epoch', { w: 6, h: 4 }, 'none', [{ expr: `aihub_training_epoch{${RUN}}`, legend: '{{run_id}}' }]),
    )
    .withPanel(
      stat('Step', { w: 6, h: 4 }, 'none', [{ expr: `aihub_training_step{${RUN}}`, legend: '{{run_id}}' }]),
    )
    .withPanel(
      stat('Samples/s', { w: 6, h: 4 }, 'short', [
        { expr: `aihub_training_speed{${RUN}}`, legend: '{{run_id}}' },
      ]),
    )
    .withPanel(
      stat('ETA', { w: 6, h: 4 }, 's', [
        {
          // Remaining epochs over the recent epoch rate; a stalled run shows a very long ETA.
          expr: `clamp_min($total_epochs - aihub_training_epoch{${RUN}}, 0) / clamp_min(deriv(aihub_training_epoch{${RUN}}[5m]), 1e-9)`,
          legend: '{{run_id}}',
        },
      ]),
    )
    .withRow(new RowBuilder('Curves'))
    .withPanel(
      timeseries('Loss: train vs validation', { w: 12, h: 9 }, 'none', [
        { expr: `aihub_training_loss{${RUN}}`, legend: '{{run_id}} {{split}}' },
      ]),
    )
    .withPanel(
      timeseries('Accuracy: train vs validation', { w: 12, h: 9 }, 'percentunit', [
        { expr: `aihub_training_accuracy{${RUN}}`, legend: '{{run_id}} {{split}}' },
      ]),
    )
    .withPanel(
      timeseries('Learning rate', { w: 8, h: 8 }, 'none', [
        { expr: `aihub_training_learning_rate{${RUN}}`, legend: '{{run_id}}' },
      ]).scaleDistribution(
        new common.ScaleDistributionConfigBuilder().type(common.ScaleDistribution.Log).log(10),
      ),
    )
    .withPanel(
      timeseries('Gradient norm', { w: 8, h: 8 }, 'none', [
        { expr: `aihub_training_gradient_norm{${RUN}}`, legend: '{{run_id}}' },
      ]).scaleDistribution(
        new common.ScaleDistributionConfigBuilder().type(common.ScaleDistribution.Log).log(10),
      ),
    )
    .withPanel(
      timeseries('GPU memory used / total', { w: 8, h: 8 }, 'bytes', [
        { expr: `aihub_training_gpu_memory_used_bytes{${RUN}}`, legend: '{{run_id}} used' },
        { expr: `aihub_training_gpu_memory_total_bytes{${RUN}}`, legend: '{{run_id}} total' },
      ]),
    )
    .withRow(new RowBuilder('Analysis and history'))
    .withPanel(
      pluginPanel(
        LLM_ANALYSIS_PANEL,
        'LLM analysis of the loss curves',
        { w: 12, h: 12 },
        { kind: 'training' },
        [{ expr: `aihub_training_loss{${RUN}}`, legend: '{{run_id}} {{split}}' }],
      ),
    )
    .withPanel(sqlTimeseries('Loss history (database)', { w: 12, h: 12 }, 'none', LOSS_HISTORY_SQL))
    .withPanel(
      sqlTable(
        'Runs',
        { w: 24, h: 8 },
        `
        SELECT run_id, model_name AS model, parameters, status,
               first_seen AS started, last_seen, last_epoch AS epoch, last_step AS step,
               last_seen - first_seen AS duration
        FROM training_runs
        WHERE last_seen >= $__timeFrom() AND run_id ~ '^(\${run_id:regex})$'
        ORDER BY last_seen DESC
        LIMIT 100
        `,
      ),
    );
  return finishDashboard(d);
}
