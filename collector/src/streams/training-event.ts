import type { TrainingEvent } from '@aihub/core';

/** One stored training item (core's training_events reader) as the streams see it. */
export type { TrainingEvent };

const num = (v: number | undefined): number | null =>
  typeof v === 'number' && Number.isFinite(v) ? v : null;

/** "00:15:32" from seconds (hours may exceed 24). */
export function formatEta(seconds: number | undefined): string | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return null;
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/**
 * The original plan's `metrics_update` data: standard fields by their plan names (null when
 * the trainer did not report them), plus `run_id` and every reported metric under `metrics`.
 */
export function metricsUpdateData(e: TrainingEvent) {
  const m = e.metrics;
  return {
    run_id: e.runId,
    epoch: e.epoch,
    batch: e.step,
    train_loss: num(m.train_loss),
    val_loss: num(m.val_loss),
    train_accuracy: num(m.train_accuracy),
    val_accuracy: num(m.val_accuracy),
    learning_rate: num(m.learning_rate),
    gpu_memory_used: num(m.gpu_memory_used_gb),
    gpu_memory_total: num(m.gpu_memory_total_gb),
    training_speed: num(m.training_speed),
    eta: formatEta(m.eta_seconds),
    model_info: { name: e.modelInfo?.name ?? null, parameters: e.modelInfo?.parameters ?? null },
    advanced_metrics: {
      gradient_norm: num(m.gradient_norm),
      weight_norm: num(m.weight_norm),
      lr_schedule: null as string | null,
      batch_time: num(m.batch_time),
    },
    metrics: m,
  };
}

/** The SSE `data:` object of a metrics_update event. */
export function sseMessage(e: TrainingEvent) {
  return {
    timestamp: new Date(e.timeMs).toISOString(),
    event_type: 'metrics_update',
    data: metricsUpdateData(e),
  };
}

export type WsTrainingEventName =
  'metrics_update' | 'epoch_completed' | 'checkpoint_saved' | 'run_started' | 'run_stale';

/** A WebSocket `training_event` message. */
export function wsMessage(
  event: WsTrainingEventName,
  runId: string,
  data: object,
  id?: number,
  timeMs = Date.now(),
) {
  return {
    message_type: 'training_event' as const,
    event,
    run_id: runId,
    ...(id !== undefined ? { id } : {}),
    timestamp: new Date(timeMs).toISOString(),
    data,
  };
}
