/**
 * Groups training series into runs (by the run_id label) and names each series by its metric,
 * whatever spelling arrived: stored `training_val_loss`, bare `val_loss`, or the Prometheus
 * gauge `aihub_training_loss{split="val"}`.
 */
import { sortByTime } from '../statistics';
import type { Point, SeriesInput, SeriesRef } from '../types';

export const TRAINING_METRICS = [
  'train_loss',
  'val_loss',
  'train_accuracy',
  'val_accuracy',
  'learning_rate',
  'gradient_norm',
  'gpu_memory_used_gb',
  'gpu_memory_total_gb',
  'training_speed',
  'epoch',
  'step',
] as const;
export type TrainingMetric = (typeof TRAINING_METRICS)[number];

export interface TrainingRun {
  runId: string;
  metrics: Partial<Record<TrainingMetric, { points: Point[]; ref: SeriesRef }>>;
}

export function trainingMetricOf(series: SeriesInput): TrainingMetric | null {
  const name = series.name;
  const split = series.labels.split;
  if (name === 'aihub_training_loss' && (split === 'train' || split === 'val')) return `${split}_loss`;
  if (name === 'aihub_training_accuracy' && (split === 'train' || split === 'val'))
    return `${split}_accuracy`;
  let bare = name.replace(/^aihub_training_/, '').replace(/^training_/, '');
  if (bare === 'loss') bare = 'train_loss';
  if (bare === 'speed') bare = 'training_speed';
  // A lone "training_speed" becomes "speed" above; the stored name is training_training_speed.
  return (TRAINING_METRICS as readonly string[]).includes(bare) ? (bare as TrainingMetric) : null;
}

export function groupTrainingRuns(series: SeriesInput[]): TrainingRun[] {
  const runs = new Map<string, TrainingRun>();
  for (const s of series) {
    const metric = trainingMetricOf(s);
    if (!metric) continue;
    const runId = s.labels.run_id ?? '';
    const run = runs.get(runId) ?? { runId, metrics: {} };
    // Two series for one metric in one run (should not happen) — the longer one wins.
    const existing = run.metrics[metric];
    if (!existing || existing.points.length < s.points.length) {
      run.metrics[metric] = { points: sortByTime(s.points), ref: { name: s.name, labels: s.labels } };
    }
    runs.set(runId, run);
  }
  return [...runs.values()];
}
