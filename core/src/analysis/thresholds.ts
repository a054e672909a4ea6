/**
 * Every number a diagnostic compares against, in one place, with the reason for its default.
 * Callers override any subset: `resolveThresholds({ overfitting: { ratio: 2 } })`.
 *
 * Training curves are analysed per epoch when an epoch series is present (the mean of each
 * epoch's points), otherwise point by point; "points" below means those curve points.
 * LLM traffic is split in time: the last `recentFraction` of the window against the rest.
 */
import { z } from 'zod';

export interface DiagnosticThresholds {
  /** Median of this many trailing curve points is the "current" value (noise-robust). */
  smoothingPoints: number;
  overfitting: {
    /** val_loss / train_loss above this is overfitting (the original plan: 1.5). */
    ratio: number;
    /** Val loss risen this fraction above its best while train loss kept falling. */
    valRiseFraction: number;
    /** ...and by more than this many of its own step-to-step swings (noise is not a rise). */
    minRiseInSwings: number;
    /** Fewer curve points than this: too early to judge. */
    minPoints: number;
  };
  divergence: {
    /** Current train loss above this multiple of its best so far is divergence. */
    riseFactor: number;
    /**
     * The rise must also exceed this many step-to-step swings: a loss swinging widely around a
     * flat level (a learning rate too high) is not a sustained rise.
     */
    minRiseInSwings: number;
    minPoints: number;
  };
  plateau: {
    /** Epochs (or points) without improvement. */
    patience: number;
    /** Improvement smaller than this fraction of the loss is "none". */
    minRelativeImprovement: number;
  };
  lrTooHigh: {
    /** Robust step-to-step swing of the loss (σ of white noise), as a fraction of its level. */
    oscillationFraction: number;
    /** Fraction of consecutive differences that change sign (white noise ≈ 0.67). */
    minSignChangeRatio: number;
    /** Trailing points examined. */
    windowPoints: number;
  };
  gradients: {
    /** Gradient norm below this is vanishing (the original plan: 1e-6). */
    vanishingBelow: number;
    /** A point this many times the median of the points before it is a spike. */
    explodingSpikeFactor: number;
    /** Points of history needed before a spike can be judged. */
    minBaselinePoints: number;
  };
  gpuMemory: {
    /** used / total at or above this is pressure (warning). */
    warningRatio: number;
    /** ... and at or above this, critical. */
    criticalRatio: number;
  };
  throughput: {
    /** Current throughput below (1 − this) × the baseline median is a drop. */
    dropFraction: number;
    /** Leading points ignored as warm-up. */
    warmupPoints: number;
    minPoints: number;
  };
  llm: {
    /** The last fraction of the time window is "recent"; the rest is the baseline. */
    recentFraction: number;
    /** Recent error rate must be at least this (percent, like the llm_error_rate signal) ... */
    errorRatePercentMin: number;
    /** ... and this many times the baseline rate ... */
    errorRateFactor: number;
    /** ... and this many percentage points above it. */
    errorRatePercentMinIncrease: number;
    /** Recent p95 latency above this multiple of the baseline's ... */
    latencyFactor: number;
    /** ... and at least this many ms slower. */
    latencyMinIncreaseMs: number;
    /** Recent cost per bucket above this multiple of the baseline's. */
    costFactor: number;
    /** Ignore cost changes smaller than this (USD per bucket). */
    costMinIncreaseUsd: number;
    /** Cache hit rate below this percentage is low. */
    cacheHitRatePercentMin: number;
    /** Requests needed in the recent window before rates are judged. */
    minRequests: number;
  };
  anomaly: {
    /** |robust z| of the last point above this is an anomaly. */
    zThreshold: number;
    /** Points needed before a series can be judged. */
    minPoints: number;
  };
}

export const DEFAULT_THRESHOLDS: DiagnosticThresholds = {
  smoothingPoints: 5,
  overfitting: { ratio: 1.5, valRiseFraction: 0.1, minRiseInSwings: 2, minPoints: 5 },
  divergence: { riseFactor: 2, minRiseInSwings: 3, minPoints: 5 },
  plateau: { patience: 10, minRelativeImprovement: 0.01 },
  lrTooHigh: { oscillationFraction: 0.15, minSignChangeRatio: 0.5, windowPoints: 20 },
  gradients: { vanishingBelow: 1e-6, explodingSpikeFactor: 10, minBaselinePoints: 5 },
  gpuMemory: { warningRatio: 0.95, criticalRatio: 0.99 },
  throughput: { dropFraction: 0.3, warmupPoints: 2, minPoints: 8 },
  llm: {
    recentFraction: 0.25,
    errorRatePercentMin: 5,
    errorRateFactor: 3,
    errorRatePercentMinIncrease: 3,
    latencyFactor: 1.5,
    latencyMinIncreaseMs: 100,
    costFactor: 2,
    costMinIncreaseUsd: 0.001,
    cacheHitRatePercentMin: 20,
    minRequests: 20,
  },
  anomaly: { zThreshold: 6, minPoints: 20 },
};

export type ThresholdOverrides = {
  [K in keyof DiagnosticThresholds]?: DiagnosticThresholds[K] extends object
    ? Partial<DiagnosticThresholds[K]>
    : DiagnosticThresholds[K];
};

const positive = z.number().positive();
const fraction = z.number().min(0).max(1);
const count = z.number().int().min(1).max(100_000);

/** Validates overrides arriving over HTTP (unknown keys rejected, so typos are caught). */
export const ThresholdOverridesSchema = z.strictObject({
  smoothingPoints: count.optional(),
  overfitting: z
    .strictObject({ ratio: positive, valRiseFraction: positive, minRiseInSwings: positive, minPoints: count })
    .partial()
    .optional(),
  divergence: z
    .strictObject({ riseFactor: positive, minRiseInSwings: positive, minPoints: count })
    .partial()
    .optional(),
  plateau: z.strictObject({ patience: count, minRelativeImprovement: fraction }).partial().optional(),
  lrTooHigh: z
    .strictObject({ oscillationFraction: positive, minSignChangeRatio: fraction, windowPoints: count })
    .partial()
    .optional(),
  gradients: z
    .strictObject({ vanishingBelow: positive, explodingSpikeFactor: positive, minBaselinePoints: count })
    .partial()
    .optional(),
  gpuMemory: z.strictObject({ warningRatio: fraction, criticalRatio: fraction }).partial().optional(),
  throughput: z
    .strictObject({ dropFraction: fraction, warmupPoints: z.number().int().min(0), minPoints: count })
    .partial()
    .optional(),
  llm: z
    .strictObject({
      recentFraction: fraction,
      errorRatePercentMin: z.number().min(0).max(100),
      errorRateFactor: positive,
      errorRatePercentMinIncrease: z.number().min(0).max(100),
      latencyFactor: positive,
      latencyMinIncreaseMs: z.number().min(0),
      costFactor: positive,
      costMinIncreaseUsd: z.number().min(0),
      cacheHitRatePercentMin: z.number().min(0).max(100),
      minRequests: count,
    })
    .partial()
    .optional(),
  anomaly: z.strictObject({ zThreshold: positive, minPoints: count }).partial().optional(),
});

/** `base` (the defaults unless given) with `overrides` applied, one level deep. */
export function resolveThresholds(
  overrides: ThresholdOverrides = {},
  base: DiagnosticThresholds = DEFAULT_THRESHOLDS,
): DiagnosticThresholds {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = typeof current === 'object' && current !== null ? { ...current, ...(value as object) } : value;
  }
  return out as unknown as DiagnosticThresholds;
}
