import type { PushPayload, SystemItem } from './push-schema';

/** One value of one series at one time, as stored in metric_series / metric_samples. */
export interface SampleRow {
  name: string;
  labels: Record<string, string>;
  timeMs: number;
  value: number;
}

/** One row of llm_requests. */
export interface LlmRow {
  timeMs: number;
  provider: string;
  model: string;
  operation: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  latencyMs: number | null;
  ttftMs: number | null;
  status: 'ok' | 'error';
  errorType: string | null;
  cacheHit: boolean;
  costUsd: number | null;
  /** false when no price was known: cost_usd stays NULL rather than 0. */
  priced: boolean;
  userId: string | null;
  sessionId: string | null;
  organizationId: string | null;
  tags: Record<string, string>;
}

/** One pushed training item: the run registry and the stream replay log. */
export interface TrainingRow {
  runId: string;
  timeMs: number;
  epoch: number | null;
  step: number | null;
  status: 'running' | 'finished' | 'failed' | null;
  metrics: Record<string, number>;
  modelInfo: { name?: string; parameters?: number } | null;
}

/**
 * Samples in columns, as the byte-level reader of a samples push hands them over (no object
 * per sample): the series key (series-key.ts), time and value of each.
 */
export interface SampleColumns {
  count: number;
  keys: string[];
  timesMs: Float64Array;
  values: Float64Array;
  /** The distinct metric names among them (commit notices name them). */
  names: string[];
}

export interface RowBatch {
  samples: SampleRow[];
  /** More samples, already keyed (a push the samples reader took). */
  sampleColumns?: SampleColumns;
  llm: LlmRow[];
  training: TrainingRow[];
}

export type CostFn = (item: {
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  timeMs: number;
}) => number | null;

const SYSTEM_FIELDS: [keyof SystemItem, string][] = [
  ['cpu_usage_percent', 'system_cpu_usage_percent'],
  ['memory_usage_percent', 'system_memory_usage_percent'],
  ['disk_usage_percent', 'system_disk_usage_percent'],
  ['load_avg_1m', 'system_load_avg_1m'],
  ['network_rx_bytes', 'system_network_rx_bytes'],
  ['network_tx_bytes', 'system_network_tx_bytes'],
];
const GPU_FIELDS = [
  ['utilization_percent', 'system_gpu_utilization_percent'],
  ['memory_used_bytes', 'system_gpu_memory_used_bytes'],
  ['memory_total_bytes', 'system_gpu_memory_total_bytes'],
  ['temperature_celsius', 'system_gpu_temperature_celsius'],
] as const;

/**
 * Maps a validated push payload to stored rows with the series names of DESIGN.md
 * ("Stored series names"). `now` stamps items without ts.
 */
export function toRows(payload: PushPayload, now: number, cost: CostFn): RowBatch {
  const samples: SampleRow[] = [];
  const llm: LlmRow[] = [];
  const training: TrainingRow[] = [];

  for (const s of payload.system ?? []) {
    const timeMs = s.ts ?? now;
    const labels = { host: s.host };
    for (const [field, name] of SYSTEM_FIELDS) {
      const v = s[field];
      if (typeof v === 'number') samples.push({ name, labels, timeMs, value: v });
    }
    for (const g of s.gpus ?? []) {
      const gpuLabels = { host: s.host, gpu: String(g.index) };
      for (const [field, name] of GPU_FIELDS) {
        const v = g[field];
        if (typeof v === 'number') samples.push({ name, labels: gpuLabels, timeMs, value: v });
      }
    }
  }

  for (const b of payload.business ?? []) {
    const labels: Record<string, string> = { ...(b.tags ?? {}) };
    if (b.unit !== undefined) labels.unit = b.unit;
    if (b.organization_id !== undefined) labels.organization_id = b.organization_id;
    if (b.user_id !== undefined) labels.user_id = b.user_id;
    samples.push({ name: `business_${b.name}`, labels, timeMs: b.ts ?? now, value: b.value });
  }

  for (const r of payload.llm ?? []) {
    const timeMs = r.ts ?? now;
    const inputTokens = r.input_tokens ?? 0;
    const outputTokens = r.output_tokens ?? 0;
    const cachedTokens = r.cached_tokens ?? 0;
    const computed =
      r.cost_usd ??
      cost({ provider: r.provider, model: r.model, inputTokens, outputTokens, cachedTokens, timeMs });
    llm.push({
      timeMs,
      provider: r.provider,
      model: r.model,
      operation: r.operation ?? 'chat',
      inputTokens,
      outputTokens,
      cachedTokens,
      latencyMs: r.latency_ms ?? null,
      ttftMs: r.ttft_ms ?? null,
      status: r.status ?? (r.error_type ? 'error' : 'ok'),
      errorType: r.error_type ?? null,
      cacheHit: r.cache_hit ?? false,
      costUsd: computed,
      priced: computed !== null,
      userId: r.user_id ?? null,
      sessionId: r.session_id ?? null,
      organizationId: r.organization_id ?? null,
      tags: r.tags ?? {},
    });
  }

  for (const t of payload.training ?? []) {
    const timeMs = t.ts ?? now;
    const labels = { run_id: t.run_id };
    for (const [key, value] of Object.entries(t.metrics)) {
      samples.push({ name: `training_${key}`, labels, timeMs, value });
    }
    if (t.epoch !== undefined) samples.push({ name: 'training_epoch', labels, timeMs, value: t.epoch });
    if (t.step !== undefined) samples.push({ name: 'training_step', labels, timeMs, value: t.step });
    training.push({
      runId: t.run_id,
      timeMs,
      epoch: t.epoch ?? null,
      step: t.step ?? null,
      status: t.status ?? null,
      metrics: t.metrics,
      modelInfo: t.model_info ?? null,
    });
  }

  for (const s of payload.samples ?? []) {
    samples.push({ name: s.name, labels: s.labels ?? {}, timeMs: s.ts ?? now, value: s.value });
  }

  return { samples, llm, training };
}

/** Rows a batch stores: what `accepted` counts in the 202 answer is items, this is rows. */
export function rowCount(b: RowBatch): number {
  return b.samples.length + (b.sampleColumns?.count ?? 0) + b.llm.length + b.training.length;
}
