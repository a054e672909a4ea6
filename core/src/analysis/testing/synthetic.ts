/**
 * Seeded synthetic series for tests and benchmarks: training runs with a chosen pathology
 * and LLM traffic per provider/model. Deterministic for a given seed.
 */
import type { Point, SeriesInput } from '../types';

export function seededRandom(seed: number): () => number {
  // mulberry32
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface TrainingRunSpec {
  runId: string;
  epochs: number;
  /** Train-loss points per epoch (val loss, accuracy etc. are reported once per epoch). */
  stepsPerEpoch?: number;
  trainLoss: (epoch: number) => number;
  valLoss: (epoch: number) => number;
  /** Multiplicative noise on the losses (0.04 = ±4 % σ). */
  noise?: number;
  gradientNorm?: (epoch: number, step: number) => number;
  gpuUsedGb?: (epoch: number) => number;
  gpuTotalGb?: number;
  speed?: (epoch: number) => number;
  learningRate?: (epoch: number) => number;
  seed?: number;
  start?: number;
  /** Milliseconds between train-loss points. */
  intervalMs?: number;
}

export function trainingRun(spec: TrainingRunSpec): SeriesInput[] {
  const rnd = seededRandom(spec.seed ?? 1);
  const g = gaussian(rnd);
  const noise = spec.noise ?? 0.04;
  const steps = spec.stepsPerEpoch ?? 5;
  const start = spec.start ?? Date.UTC(2026, 0, 17, 12);
  const dt = spec.intervalMs ?? 60_000;
  const labels = { run_id: spec.runId };
  const s = (name: string): SeriesInput => ({ name: `training_${name}`, labels, points: [] as Point[] });
  const train = s('train_loss');
  const val = s('val_loss');
  const epoch = s('epoch');
  const grad = s('gradient_norm');
  const used = s('gpu_memory_used_gb');
  const total = s('gpu_memory_total_gb');
  const speed = s('training_speed');
  const lr = s('learning_rate');
  for (let e = 0; e < spec.epochs; e++) {
    for (let k = 0; k < steps; k++) {
      const ts = start + (e * steps + k) * dt;
      const x = e + k / steps;
      if (k === 0) epoch.points.push([ts, e]);
      train.points.push([ts, spec.trainLoss(x) * (1 + noise * g())]);
      grad.points.push([ts, (spec.gradientNorm ?? ((ep) => 1 / (1 + ep / 10)))(e, k) * Math.exp(0.3 * g())]);
    }
    const endTs = start + ((e + 1) * steps - 1) * dt;
    val.points.push([endTs, spec.valLoss(e) * (1 + noise * g())]);
    used.points.push([endTs, (spec.gpuUsedGb ?? (() => 6.2))(e) + 0.05 * g()]);
    total.points.push([endTs, spec.gpuTotalGb ?? 8]);
    speed.points.push([endTs, (spec.speed ?? (() => 1.23))(e) * (1 + 0.05 * g())]);
    lr.points.push([endTs, (spec.learningRate ?? (() => 1e-3))(e)]);
  }
  return [train, val, epoch, grad, used, total, speed, lr];
}

export interface LlmTrafficSpec {
  provider: string;
  model: string;
  buckets: number;
  /** Mean requests per bucket. */
  requests?: number;
  /** Each returns the parameter for bucket i. */
  errorRate?: (i: number) => number;
  latencyP95Ms?: (i: number) => number;
  costPerRequestUsd?: (i: number) => number;
  cacheHitRate?: (i: number) => number;
  seed?: number;
  start?: number;
  bucketMs?: number;
}

/** Derived LLM signals per bucket, as storage computes them (rates in percent; spec rates 0–1). */
export function llmTraffic(spec: LlmTrafficSpec): SeriesInput[] {
  const rnd = seededRandom(spec.seed ?? 7);
  const g = gaussian(rnd);
  const labels = { provider: spec.provider, model: spec.model };
  const mk = (name: string): SeriesInput => ({ name, labels, points: [] as Point[] });
  const req = mk('llm_requests');
  const err = mk('llm_error_rate');
  const lat = mk('llm_latency_ms_p95');
  const cost = mk('llm_cost_usd');
  const cache = mk('llm_cache_hit_rate');
  const start = spec.start ?? Date.UTC(2026, 0, 17, 12);
  const dt = spec.bucketMs ?? 60_000;
  const binomial = (n: number, p: number) => {
    let k = 0;
    for (let j = 0; j < n; j++) if (rnd() < p) k++;
    return k;
  };
  for (let i = 0; i < spec.buckets; i++) {
    const ts = start + i * dt;
    const n = Math.max(1, Math.round((spec.requests ?? 50) + Math.sqrt(spec.requests ?? 50) * g()));
    req.points.push([ts, n]);
    err.points.push([ts, (100 * binomial(n, (spec.errorRate ?? (() => 0.01))(i))) / n]);
    lat.points.push([ts, (spec.latencyP95Ms ?? (() => 1200))(i) * (1 + 0.08 * g())]);
    cost.points.push([ts, n * (spec.costPerRequestUsd ?? (() => 0.002))(i) * (1 + 0.05 * g())]);
    cache.points.push([ts, (100 * binomial(n, (spec.cacheHitRate ?? (() => 0.5))(i))) / n]);
  }
  return [req, err, lat, cost, cache];
}
