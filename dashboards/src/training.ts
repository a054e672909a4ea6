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
    .withPanel(
      sqlTimeseries(
        'Loss history (database)',
        { w: 12, h: 12 },
        'none',
        `
        SELECT $__timeGroupAlias(s.time, $__interval),
               (ser.labels->>'run_id') || ' ' || replace(ser.name, 'training_', '') AS metric,
               avg(s.value) AS value
        FROM metric_samples s
        JOIN metric_series ser ON ser.id = s.series_id
        WHERE $__timeFilter(s.time)
          AND ser.name IN ('training_train_loss', 'training_val_loss')
          AND ser.labels->>'run_id' ~ '^(\${run_id:regex})$'
        GROUP BY 1, 2
        ORDER BY 1
        `,
      ),
    )
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
