import type { IncomingMessage, ServerResponse } from 'http';
import type {
  Attributes,
  Counter,
  Histogram,
  Meter,
  ObservableGauge,
  ObservableResult,
} from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LlmRow, TrainingRow, SystemItem } from '@aihub/core';
import { LiveGauges } from './live-gauges';
import { observeGcDuration } from './gc-duration';

// Advised bucket boundaries of the OpenTelemetry GenAI semantic conventions.
const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
const DURATION_BUCKETS = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
// http.server.request.duration advice.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type RejectReason =
  | 'invalid'
  | 'too_large'
  | 'unauthorized'
  | 'overloaded'
  | 'storage'
  | 'unsupported'
  | 'series_limit'
  | 'body_timeout';

/**
 * The collector's /metrics: LLM usage with GenAI semconv names, live training and host gauges,
 * and the collector's own health. user_id and session_id never become labels.
 */
export class CollectorTelemetry {
  private readonly exporter: PrometheusExporter;
  private readonly provider: MeterProvider;
  private readonly tokenUsage: Histogram;
  private readonly opDuration: Histogram;
  private readonly ttft: Histogram;
  private readonly llmRequests: Counter;
  private readonly cacheHits: Counter;
  private readonly cost: Counter;
  private readonly unpriced: Counter;
  private readonly ingested: Counter;
  private readonly rejected: Counter;
  private readonly flushDuration: Histogram;
  private readonly httpDuration: Histogram;
  /** For collector features that export instruments of their own (streams, TensorBoard). */
  readonly meter: Meter;
  readonly training: LiveGauges;
  readonly hosts: LiveGauges;
  private readonly gauges: ObservableGauge[] = [];
  private readonly stopGcObserver: () => void;

  constructor(opts: {
    serviceName: string;
    liveGaugeTtlMs: number;
    queueDepth: () => number;
    now?: () => number;
  }) {
    this.exporter = new PrometheusExporter({ preventServerStart: true });
    this.provider = new MeterProvider({
      readers: [this.exporter],
      resource: resourceFromAttributes({ 'service.name': opts.serviceName }),
    });
    const meter = this.provider.getMeter('aihub-collector');
    this.meter = meter;
    this.tokenUsage = meter.createHistogram('gen_ai.client.token.usage', {
      unit: '{token}',
      description: 'Number of input and output tokens used',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.opDuration = meter.createHistogram('gen_ai.client.operation.duration', {
      unit: 's',
      description: 'GenAI operation duration',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.ttft = meter.createHistogram('aihub.llm.time_to_first_token', {
      unit: 's',
      description: 'Time to the first output token as seen by the client',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.llmRequests = meter.createCounter('aihub.llm.requests', { description: 'LLM requests by outcome' });
    this.cacheHits = meter.createCounter('aihub.llm.cache_hits', {
      description: 'LLM requests answered from a cache',
    });
    this.cost = meter.createCounter('aihub.llm.cost_usd', {
      unit: 'USD',
      description: 'LLM spend in US dollars',
    });
    this.unpriced = meter.createCounter('aihub.llm.unpriced_requests', {
      description: 'LLM requests whose model has no known price (cost not counted)',
    });
    this.ingested = meter.createCounter('aihub.ingest.samples', { description: 'Items stored, by family' });
    this.rejected = meter.createCounter('aihub.ingest.rejected', {
      description: 'Rejected ingest requests, by reason',
    });
    this.flushDuration = meter.createHistogram('aihub.ingest.flush_duration', {
      unit: 's',
      description: 'Time to commit one group of ingest requests',
      advice: { explicitBucketBoundaries: HTTP_BUCKETS },
    });
    this.httpDuration = meter.createHistogram('http.server.request.duration', {
      unit: 's',
      description: 'Duration of HTTP server requests',
      advice: { explicitBucketBoundaries: HTTP_BUCKETS },
    });
    const queue = meter.createObservableGauge('aihub.ingest.queue_depth', {
      description: 'Rows waiting for commit',
    });
    queue.addCallback((r) => r.observe(opts.queueDepth()));
    this.gauges.push(queue);
    this.stopGcObserver = observeGcDuration(meter);

    const now = opts.now ?? Date.now;
    this.training = new LiveGauges(opts.liveGaugeTtlMs, now);
    this.hosts = new LiveGauges(opts.liveGaugeTtlMs, now);
    const live = (name: string, source: LiveGauges, description: string, unit?: string) => {
      const g = meter.createObservableGauge(name, { description, unit });
      g.addCallback((r: ObservableResult) => source.observe(name, (value, attrs) => r.observe(value, attrs)));
      this.gauges.push(g);
    };
    for (const [name, d] of [
      ['aihub.training.loss', 'Training loss by split'],
      ['aihub.training.accuracy', 'Training accuracy by split'],
      ['aihub.training.learning_rate', 'Learning rate'],
      ['aihub.training.gradient_norm', 'Gradient norm'],
      ['aihub.training.epoch', 'Current epoch'],
      ['aihub.training.step', 'Current step'],
      ['aihub.training.speed', 'Training throughput as reported'],
      ['aihub.training.gpu_memory_used_bytes', 'GPU memory used by the run'],
      ['aihub.training.gpu_memory_total_bytes', 'GPU memory available to the run'],
    ]) {
      live(name, this.training, d);
    }
    for (const [name, d, unit] of [
      ['system.cpu.utilization', 'CPU utilisation (0–1)', '1'],
      ['system.memory.utilization', 'Memory utilisation (0–1)', '1'],
      ['system.filesystem.utilization', 'Filesystem utilisation (0–1)', '1'],
      ['system.cpu.load_average.1m', 'Load average over 1 minute', '{thread}'],
      ['system.network.io', 'Network bytes as last reported', 'By'],
      ['hw.gpu.utilization', 'GPU utilisation (0–1)', '1'],
      ['hw.gpu.memory.usage', 'GPU memory used', 'By'],
      ['hw.gpu.memory.limit', 'GPU memory total', 'By'],
      ['hw.temperature', 'GPU temperature', 'Cel'],
    ]) {
      live(name, this.hosts, d, unit);
    }
  }

  /** Serves the Prometheus text exposition. */
  handleScrape(req: IncomingMessage, res: ServerResponse): void {
    this.exporter.getMetricsRequestHandler(req, res);
  }

  recordLlm(rows: LlmRow[]): void {
    for (const r of rows) {
      const base: Attributes = {
        'gen_ai.operation.name': r.operation,
        'gen_ai.provider.name': r.provider,
        'gen_ai.request.model': r.model,
      };
      this.tokenUsage.record(r.inputTokens, { ...base, 'gen_ai.token.type': 'input' });
      this.tokenUsage.record(r.outputTokens, { ...base, 'gen_ai.token.type': 'output' });
      const withError = r.status === 'error' ? { ...base, 'error.type': r.errorType ?? '_OTHER' } : base;
      if (r.latencyMs !== null) this.opDuration.record(r.latencyMs / 1000, withError);
      if (r.ttftMs !== null) this.ttft.record(r.ttftMs / 1000, base);
      this.llmRequests.add(1, { ...base, status: r.status, 'error.type': r.errorType ?? '' });
      if (r.cacheHit) this.cacheHits.add(1, base);
      const priceAttrs = { 'gen_ai.provider.name': r.provider, 'gen_ai.request.model': r.model };
      if (r.costUsd !== null) this.cost.add(r.costUsd, priceAttrs);
      else this.unpriced.add(1, priceAttrs);
    }
  }

  recordTraining(rows: TrainingRow[]): void {
    for (const r of rows) {
      const run = { run_id: r.runId };
      const m = r.metrics;
      const set = (name: string, value: number | undefined | null, attrs: Attributes = run) => {
        if (typeof value === 'number' && Number.isFinite(value))
          this.training.set(name, attrs, value, r.runId, r.timeMs);
      };
      set('aihub.training.loss', m.train_loss, { ...run, split: 'train' });
      set('aihub.training.loss', m.val_loss, { ...run, split: 'val' });
      set('aihub.training.accuracy', m.train_accuracy, { ...run, split: 'train' });
      set('aihub.training.accuracy', m.val_accuracy, { ...run, split: 'val' });
      set('aihub.training.learning_rate', m.learning_rate);
      set('aihub.training.gradient_norm', m.gradient_norm);
      set('aihub.training.speed', m.training_speed);
      set('aihub.training.epoch', r.epoch);
      set('aihub.training.step', r.step);
      if (m.gpu_memory_used_gb !== undefined)
        set('aihub.training.gpu_memory_used_bytes', m.gpu_memory_used_gb * 1e9);
      if (m.gpu_memory_total_gb !== undefined)
        set('aihub.training.gpu_memory_total_bytes', m.gpu_memory_total_gb * 1e9);
      if (r.status === 'finished' || r.status === 'failed') this.training.drop(r.runId);
    }
  }

  recordSystem(items: SystemItem[], now: number): void {
    for (const s of items) {
      const host = { 'host.name': s.host };
      const at = s.ts ?? now;
      const set = (name: string, value: number | undefined, attrs: Attributes = host) => {
        if (typeof value === 'number') this.hosts.set(name, attrs, value, s.host, at);
      };
      const ratio = (v: number | undefined) => (v === undefined ? undefined : v / 100);
      set('system.cpu.utilization', ratio(s.cpu_usage_percent));
      set('system.memory.utilization', ratio(s.memory_usage_percent));
      set('system.filesystem.utilization', ratio(s.disk_usage_percent));
      set('system.cpu.load_average.1m', s.load_avg_1m);
      set('system.network.io', s.network_rx_bytes, { ...host, 'network.io.direction': 'receive' });
      set('system.network.io', s.network_tx_bytes, { ...host, 'network.io.direction': 'transmit' });
      for (const g of s.gpus ?? []) {
        const gpu = { ...host, 'hw.id': String(g.index) };
        set('hw.gpu.utilization', ratio(g.utilization_percent), gpu);
        set('hw.gpu.memory.usage', g.memory_used_bytes, gpu);
        set('hw.gpu.memory.limit', g.memory_total_bytes, gpu);
        set('hw.temperature', g.temperature_celsius, gpu);
      }
    }
  }

  countIngested(family: string, n: number): void {
    if (n > 0) this.ingested.add(n, { family });
  }

  countRejected(reason: RejectReason): void {
    this.rejected.add(1, { reason });
  }

  recordFlush(seconds: number): void {
    this.flushDuration.record(seconds);
  }

  /** Records the request's duration under `route()` once its answer has been sent. */
  timeHttp(method: string, res: ServerResponse, route: () => string): void {
    const started = process.hrtime.bigint();
    res.on('finish', () =>
      this.recordHttp(method, route(), res.statusCode, Number(process.hrtime.bigint() - started) / 1e9),
    );
  }

  recordHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.record(seconds, {
      'http.request.method': method,
      'http.route': route,
      'http.response.status_code': status,
    });
  }

  async shutdown(): Promise<void> {
    this.stopGcObserver();
    await this.provider.shutdown();
  }
}
