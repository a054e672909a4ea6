/**
 * Training diagnostics over one run: overfitting, divergence, plateau, learning rate too high,
 * vanishing/exploding gradients, GPU memory pressure, throughput drop. Each check reads the
 * smoothed curve (median of the last few points) so a single noisy point cannot trigger it.
 */
import {
  currentValue,
  meanOf,
  medianAbsStep,
  medianOf,
  movingMedian,
  NOISE_STEP_FACTOR,
  perEpochCurve,
  precedingMedian,
  round,
  signChangeRatio,
  windowLevels,
} from '../curves';
import type { DiagnosticThresholds } from '../thresholds';
import { boundText } from '../untrusted-text';
import type { Finding, Point, SeriesRef } from '../types';
import type { TrainingMetric, TrainingRun } from './training-runs';

interface Curve {
  /** x is the epoch when the run has an epoch series, else the timestamp. */
  xs: number[];
  ys: number[];
  byEpoch: boolean;
  ref: SeriesRef;
  nonFinite: Point | null;
}

function curveOf(run: TrainingRun, metric: TrainingMetric, minPoints: number): Curve | null {
  const m = run.metrics[metric];
  if (!m) return null;
  const nonFinite = m.points.find((p) => !Number.isFinite(p[1])) ?? null;
  const epochs = run.metrics.epoch?.points.filter((p) => Number.isFinite(p[1]));
  const perEpoch = perEpochCurve(m.points, epochs);
  const pts =
    perEpoch && perEpoch.length >= minPoints ? perEpoch : m.points.filter((p) => Number.isFinite(p[1]));
  return {
    xs: pts.map((p) => p[0]),
    ys: pts.map((p) => p[1]),
    byEpoch: pts === perEpoch,
    ref: m.ref,
    nonFinite,
  };
}

function runLabel(run: TrainingRun): string {
  return run.runId ? `run "${boundText(run.runId, 80)}"` : 'this run';
}

function where(c: Curve, index: number): string {
  return c.byEpoch ? `epoch ${c.xs[index]}` : new Date(c.xs[index]).toISOString();
}

export function diagnoseTrainingRun(run: TrainingRun, t: DiagnosticThresholds): Finding[] {
  const k = t.smoothingPoints;
  const findings: Finding[] = [];
  const train = curveOf(run, 'train_loss', t.overfitting.minPoints);
  const val = curveOf(run, 'val_loss', t.overfitting.minPoints);
  const who = runLabel(run);

  // Divergence: a non-finite loss, or the train loss far above its best and still rising.
  let diverged = false;
  for (const c of [train, val]) {
    if (c?.nonFinite) {
      diverged = true;
      findings.push({
        code: 'divergence',
        severity: 'critical',
        title: 'Loss became NaN/Infinity',
        detail: `${c.ref.name} of ${who} reached ${String(c.nonFinite[1])} at ${new Date(c.nonFinite[0]).toISOString()}. Training has diverged: lower the learning rate, add gradient clipping, or check the data for bad values.`,
        evidence: { value: String(c.nonFinite[1]), at: new Date(c.nonFinite[0]).toISOString() },
        series: [c.ref],
      });
    }
  }
  // Levels are medians over an even window, so a 2-periodic zig-zag reads as its centre.
  const even = k % 2 ? k + 1 : k;
  if (!diverged && train && train.ys.length >= Math.max(t.divergence.minPoints, even)) {
    const ys = train.ys;
    const levels = windowLevels(ys, even);
    let bestIndex = 0;
    for (let i = 1; i < levels.length; i++) if (levels[i] < levels[bestIndex]) bestIndex = i;
    const best = levels[bestIndex];
    const current = levels[levels.length - 1];
    const previous = medianOf(ys.slice(Math.max(0, ys.length - 3 * even), ys.length - even));
    // A sustained rise is large against the step-to-step swings; a loss that only swings
    // widely around a flat level is a learning rate too high (below), not divergence.
    const swing = medianAbsStep(ys.slice(-3 * even));
    const riseInSwings = swing > 0 ? (current - best) / swing : Infinity;
    if (
      best > 0 &&
      current > t.divergence.riseFactor * best &&
      current > previous &&
      riseInSwings >= t.divergence.minRiseInSwings
    ) {
      diverged = true;
      const bestAt = bestIndex + (even >> 1);
      findings.push({
        code: 'divergence',
        severity: 'critical',
        title: 'Training loss is rising sharply',
        detail: `The training loss of ${who} is ${round(current / best, 3)}× its best (${round(best)} at ${where(train, bestAt)}) and still rising. Lower the learning rate or add gradient clipping before it becomes NaN.`,
        evidence: {
          train_loss_current: round(current),
          train_loss_best: round(best),
          rise_factor: round(current / best, 3),
          threshold_factor: t.divergence.riseFactor,
          rise_in_swings: Number.isFinite(riseInSwings) ? round(riseInSwings, 3) : null,
        },
        series: [train.ref],
      });
    }
  }

  // Overfitting: val loss rising from its best while train loss keeps falling, or val ≫ train.
  let overfitting = false;
  if (
    !diverged &&
    train &&
    val &&
    train.ys.length >= t.overfitting.minPoints &&
    val.ys.length >= t.overfitting.minPoints
  ) {
    const valSmooth = movingMedian(val.ys, k);
    let bestIndex = 0;
    for (let i = 1; i < valSmooth.length; i++) if (valSmooth[i] < valSmooth[bestIndex]) bestIndex = i;
    const valBest = valSmooth[bestIndex];
    const valNow = currentValue(val.ys, even);
    const trainNow = currentValue(train.ys, even);
    const trainSmooth = movingMedian(train.ys, k);
    // The train loss at the time of the val best: last train point at or before that x.
    let j = 0;
    while (j + 1 < train.xs.length && train.xs[j + 1] <= val.xs[bestIndex]) j++;
    const trainAtBest = trainSmooth[j];
    const valSwing = medianAbsStep(val.ys.slice(-3 * even));
    const rising =
      valBest > 0 &&
      valNow > valBest * (1 + t.overfitting.valRiseFraction) &&
      valNow - valBest >= t.overfitting.minRiseInSwings * valSwing &&
      trainNow <= trainAtBest;
    const ratio = trainNow > 0 ? valNow / trainNow : NaN;
    const ratioHigh = Number.isFinite(ratio) && ratio > t.overfitting.ratio;
    if (rising || ratioHigh) {
      overfitting = true;
      const parts = [];
      if (rising)
        parts.push(
          `the validation loss has risen ${round(((valNow - valBest) / valBest) * 100, 3)}% from its best (${round(valBest)} at ${where(val, bestIndex)}) while the training loss kept falling`,
        );
      if (ratioHigh)
        parts.push(
          `the validation loss is ${round(ratio, 3)}× the training loss (limit ${t.overfitting.ratio})`,
        );
      findings.push({
        code: 'overfitting',
        severity: rising && ratioHigh ? 'critical' : 'warning',
        title: 'The model is overfitting',
        detail: `In ${who}, ${parts.join(', and ')}. Consider early stopping at the best epoch, more regularisation (dropout, weight decay), data augmentation or more data.`,
        evidence: {
          val_loss_current: round(valNow),
          val_loss_best: round(valBest),
          val_best_at: val.byEpoch ? val.xs[bestIndex] : new Date(val.xs[bestIndex]).toISOString(),
          train_loss_current: round(trainNow),
          train_loss_at_val_best: round(trainAtBest),
          val_train_ratio: Number.isFinite(ratio) ? round(ratio) : null,
          ratio_threshold: t.overfitting.ratio,
        },
        series: [train.ref, val.ref],
      });
    }
  }

  // Learning rate too high: the loss swings widely from step to step without improving.
  // Per-step points, not epoch means: averaging within an epoch would hide the swings.
  let lrTooHigh = false;
  const rawTrain = run.metrics.train_loss?.points.filter((p) => Number.isFinite(p[1])).map((p) => p[1]) ?? [];
  if (!diverged && train && rawTrain.length >= t.lrTooHigh.windowPoints) {
    const window = rawTrain.slice(-t.lrTooHigh.windowPoints);
    const level = Math.abs(medianOf(window));
    const oscillation = level > 0 ? medianAbsStep(window) / (NOISE_STEP_FACTOR * level) : 0;
    const flips = signChangeRatio(window);
    // Improving: the second half's mean below the first half's by more than 5 % and by more
    // than twice what the swings alone make two such means differ.
    const half = window.length >> 1;
    const head = meanOf(window.slice(0, half));
    const tail = meanOf(window.slice(-half));
    const noise = 2 * oscillation * level * Math.sqrt(2 / half);
    const improving = head - tail > Math.max(0.05 * Math.abs(head), noise);
    if (
      oscillation > t.lrTooHigh.oscillationFraction &&
      flips >= t.lrTooHigh.minSignChangeRatio &&
      !improving
    ) {
      lrTooHigh = true;
      const lr = run.metrics.learning_rate?.points.filter((p) => Number.isFinite(p[1])).at(-1)?.[1];
      findings.push({
        code: 'lr_too_high',
        severity: 'warning',
        title: 'Loss oscillates: learning rate likely too high',
        detail: `The training loss of ${who} swings by ${round(oscillation * 100, 3)}% of its level from step to step without improving${lr !== undefined ? ` at learning rate ${lr}` : ''}. Try a learning rate 3–10× lower, warm-up, or a larger batch.`,
        evidence: {
          oscillation_fraction: round(oscillation),
          sign_change_ratio: round(flips),
          window_points: window.length,
          learning_rate: lr ?? null,
          threshold: t.lrTooHigh.oscillationFraction,
        },
        series: [train.ref],
      });
    }
  }

  // Plateau: no meaningful improvement over the last `patience` points (val loss, else train).
  const watched = val ?? train;
  // A loss that oscillates without improving is explained by lr_too_high, not reported twice.
  if (!diverged && !overfitting && !lrTooHigh && watched && watched.ys.length >= t.plateau.patience + k + 1) {
    const smooth = movingMedian(watched.ys, k);
    const n = smooth.length;
    const bestBefore = Math.min(...smooth.slice(0, n - t.plateau.patience));
    const bestRecent = Math.min(...smooth.slice(n - t.plateau.patience));
    const improvement = bestBefore !== 0 ? (bestBefore - bestRecent) / Math.abs(bestBefore) : 0;
    if (improvement < t.plateau.minRelativeImprovement) {
      const unit = watched.byEpoch ? 'epochs' : 'points';
      findings.push({
        code: 'plateau',
        severity: 'info',
        title: `No improvement over the last ${t.plateau.patience} ${unit}`,
        detail: `${watched.ref.name} of ${who} improved by ${round(improvement * 100, 3)}% over the last ${t.plateau.patience} ${unit} (needs ${t.plateau.minRelativeImprovement * 100}%). Stop early, or lower the learning rate (e.g. reduce-on-plateau) if you expect more progress.`,
        evidence: {
          best_before: round(bestBefore),
          best_recent: round(bestRecent),
          relative_improvement: round(improvement),
          patience: t.plateau.patience,
        },
        series: [watched.ref],
      });
    }
  }

  findings.push(...gradientFindings(run, t, who));
  findings.push(...gpuMemoryFindings(run, t, who));
  findings.push(...throughputFindings(run, t, who));
  return findings;
}

function gradientFindings(run: TrainingRun, t: DiagnosticThresholds, who: string): Finding[] {
  const g = run.metrics.gradient_norm;
  if (!g || g.points.length === 0) return [];
  const nonFinite = g.points.find((p) => !Number.isFinite(p[1]));
  const values = g.points.filter((p) => Number.isFinite(p[1]));
  const out: Finding[] = [];
  if (
    values.length &&
    currentValue(
      values.map((p) => p[1]),
      t.smoothingPoints,
    ) < t.gradients.vanishingBelow
  ) {
    const now = currentValue(
      values.map((p) => p[1]),
      t.smoothingPoints,
    );
    out.push({
      code: 'vanishing_gradients',
      severity: 'warning',
      title: 'Gradients are vanishing',
      detail: `The gradient norm of ${who} is ${now.toExponential(2)}, below ${t.gradients.vanishingBelow}: the weights barely change. Check activations (ReLU/GELU instead of sigmoid/tanh), normalisation layers, initialisation, or raise the learning rate.`,
      evidence: { gradient_norm_current: now, threshold: t.gradients.vanishingBelow },
      series: [g.ref],
    });
  }
  // Spikes: a point far above the median of the points just before it.
  const w = Math.max(t.gradients.minBaselinePoints, 20);
  const baselines = precedingMedian(
    values.map((p) => p[1]),
    w,
  );
  let spikes = 0;
  let worst = 0;
  let worstAt = 0;
  for (let i = t.gradients.minBaselinePoints; i < values.length; i++) {
    const base = baselines[i];
    if (!(base > 0)) continue;
    const factor = values[i][1] / base;
    if (factor >= t.gradients.explodingSpikeFactor) {
      spikes++;
      if (factor > worst) {
        worst = factor;
        worstAt = values[i][0];
      }
    }
  }
  if (nonFinite || spikes > 0) {
    out.push({
      code: 'exploding_gradients',
      severity: nonFinite || worst >= 10 * t.gradients.explodingSpikeFactor ? 'critical' : 'warning',
      title: 'Gradient norm spikes',
      detail: nonFinite
        ? `The gradient norm of ${who} became ${String(nonFinite[1])} at ${new Date(nonFinite[0]).toISOString()}. Add gradient clipping (e.g. max norm 1.0) and lower the learning rate.`
        : `The gradient norm of ${who} spiked ${spikes} time(s), up to ${round(worst, 3)}× its recent median (at ${new Date(worstAt).toISOString()}). Add gradient clipping (e.g. max norm 1.0) or lower the learning rate.`,
      evidence: {
        spikes,
        max_spike_factor: round(worst),
        max_spike_at: worstAt ? new Date(worstAt).toISOString() : null,
        non_finite: Boolean(nonFinite),
        threshold_factor: t.gradients.explodingSpikeFactor,
      },
      series: [g.ref],
    });
  }
  return out;
}

/** used/total ratio pressure; shared with the system (per-GPU) diagnostics. */
export function memoryPressureFinding(
  used: number[],
  total: number,
  t: DiagnosticThresholds,
  subject: string,
  refs: SeriesRef[],
  unit: string,
): Finding | null {
  if (!(total > 0) || used.length === 0) return null;
  const now = currentValue(used, t.smoothingPoints);
  const ratio = now / total;
  if (ratio < t.gpuMemory.warningRatio) return null;
  return {
    code: 'gpu_memory_pressure',
    severity: ratio >= t.gpuMemory.criticalRatio ? 'critical' : 'warning',
    title: 'GPU memory nearly full',
    detail: `${subject} uses ${round(ratio * 100, 3)}% of GPU memory (${round(now)} of ${round(total)} ${unit}). An out-of-memory crash is likely: reduce the batch size, use mixed precision or gradient checkpointing.`,
    evidence: {
      used: round(now),
      total: round(total),
      ratio: round(ratio),
      warning_ratio: t.gpuMemory.warningRatio,
    },
    series: refs,
  };
}

function gpuMemoryFindings(run: TrainingRun, t: DiagnosticThresholds, who: string): Finding[] {
  const used = run.metrics.gpu_memory_used_gb;
  const total = run.metrics.gpu_memory_total_gb;
  if (!used || !total) return [];
  const totals = total.points.filter((p) => Number.isFinite(p[1]));
  const f = memoryPressureFinding(
    used.points.filter((p) => Number.isFinite(p[1])).map((p) => p[1]),
    totals.length ? totals[totals.length - 1][1] : NaN,
    t,
    who.charAt(0).toUpperCase() + who.slice(1),
    [used.ref, total.ref],
    'GB',
  );
  return f ? [f] : [];
}

function throughputFindings(run: TrainingRun, t: DiagnosticThresholds, who: string): Finding[] {
  const s = run.metrics.training_speed;
  if (!s) return [];
  const values = s.points.filter((p) => Number.isFinite(p[1])).map((p) => p[1]);
  const k = t.smoothingPoints;
  if (values.length < Math.max(t.throughput.minPoints, t.throughput.warmupPoints + 2 * k)) return [];
  const baseline = medianOf(values.slice(t.throughput.warmupPoints, values.length - k));
  const now = currentValue(values, k);
  if (!(baseline > 0)) return [];
  const drop = 1 - now / baseline;
  if (drop < t.throughput.dropFraction) return [];
  return [
    {
      code: 'throughput_drop',
      severity: drop >= 0.6 ? 'critical' : 'warning',
      title: 'Training throughput dropped',
      detail: `${who.charAt(0).toUpperCase() + who.slice(1)} runs at ${round(now)} against a baseline of ${round(baseline)} (−${round(drop * 100, 3)}%). Look for data-loader stalls, thermal throttling, another job on the GPU, or checkpointing to slow storage.`,
      evidence: {
        current: round(now),
        baseline: round(baseline),
        drop_fraction: round(drop),
        threshold: t.throughput.dropFraction,
      },
      series: [s.ref],
    },
  ];
}
