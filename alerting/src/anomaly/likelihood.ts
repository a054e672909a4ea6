import { packFloat32, readFloatList } from './packedFloats';
import { lowerBound } from './sorted';

/** Surprise is capped (in nats): beyond e^-50 nothing is "more anomalous" for alerting. */
export const MAX_SURPRISE = 50;

/** −ln P(Gamma(k, 1) ≥ s) for integer k: the surprise of a sum of k unit-exponential surprises. */
export function gammaSurprise(k: number, s: number): number {
  if (s <= 0) return 0;
  let term = 1;
  let sum = 1;
  for (let i = 1; i < k; i++) {
    term *= s / i;
    sum += term;
  }
  return Math.max(0, s - Math.log(sum));
}

export interface AnomalyLikelihoodJSON {
  /** Raw scores, oldest first: packed float32 (older states: a JSON array). */
  history: string | number[];
  recent: number[];
  updates: number;
  excludedAt: number[];
}

/** Share of the history above which the tail is modelled (peaks over threshold). */
const TAIL_QUANTILE = 0.95;
/**
 * Raw scores more surprising than this (nats; p < 1e-4) are not learned, as in SPOT: an
 * anomaly must not teach the model that anomalies are normal.
 */
const LEARN_LIMIT = Math.log(1e4);
/**
 * …unless such points are not rare: once more than 1 % of recent updates were excluded they
 * are how this series behaves, and the model learns them (otherwise it never could).
 */
const MAX_EXCLUDED_SHARE = 0.01;
/** Raw scores needed before the tail model is fitted. */
const MIN_FIT = 50;

interface TailFit {
  threshold: number;
  /** Share of history above the threshold. */
  tailShare: number;
  /** Generalised Pareto shape ξ (clamped to [0, 0.5]) and scale σ of the excesses. */
  shape: number;
  scale: number;
}

/**
 * Turns a raw score (a robust z, ≥ 0) into "how unusual is this, and the last few, against
 * this series' own history of raw scores" — the anomaly likelihood. The bulk of the
 * distribution is read off the history directly; beyond its 95th percentile a generalised
 * Pareto tail is fitted (peaks over threshold, as in SPOT, Siffer et al. 2017), so a series
 * with heavy-tailed noise learns that 8σ happens and stops alerting on it, while a Gaussian
 * series keeps finding a 6σ spike very surprising. The newest point is judged alone and as
 * the sum of the last `window` surprises against Gamma(window, 1), so a run of moderately
 * surprising points (a variance change) counts too.
 */
export class AnomalyLikelihood {
  private history: number[] = [];
  /** The history kept sorted incrementally, so the fit is always of the current history. */
  private sorted: number[] = [];
  private recent: number[] = [];
  private fit: TailFit | null = null;
  private updates = 0;
  /** Update numbers of recent points not learned because they were too surprising. */
  private excludedAt: number[] = [];

  constructor(
    private readonly historySize = 1000,
    private readonly window = 5,
  ) {}

  /** Feeds one raw score; returns the surprise (nats) of the newest point and its recent run. */
  update(raw: number): number {
    const u = this.surpriseOf(raw);
    this.recent.push(u);
    if (this.recent.length > this.window) this.recent.shift();
    const sum = this.recent.reduce((a, b) => a + b, 0);
    const surprise = Math.max(u, this.recent.length === this.window ? gammaSurprise(this.window, sum) : 0);

    this.updates++;
    while (this.excludedAt.length && this.excludedAt[0] <= this.updates - this.historySize)
      this.excludedAt.shift();
    if (u < LEARN_LIMIT || this.excludedAt.length >= MAX_EXCLUDED_SHARE * this.historySize) {
      // float32, so that the packed state restores exactly
      this.remember(Math.fround(Number.isFinite(raw) ? raw : 1e6));
      this.refit();
    } else {
      this.excludedAt.push(this.updates);
    }
    return Math.min(MAX_SURPRISE, surprise);
  }

  /** −ln P(raw score ≥ raw) under the current model of this series' raw scores. */
  surpriseOf(raw: number): number {
    const fit = this.fit;
    if (raw <= 0) return 0;
    if (!Number.isFinite(raw)) return MAX_SURPRISE;
    // Until there is history to fit, read the raw score as what it is built to be: |N(0, 1)|.
    if (fit === null) return Math.min(MAX_SURPRISE, -Math.log(Math.max(1e-300, erfc(raw / Math.SQRT2))));
    if (raw <= fit.threshold) {
      const n = this.sorted.length;
      return -Math.log((n - lowerBound(this.sorted, raw) + 1) / (n + 1));
    }
    if (!(fit.scale > 0)) return MAX_SURPRISE; // nothing ever exceeded the threshold: maximally surprising
    const y = (raw - fit.threshold) / fit.scale;
    const lnSurvival = fit.shape > 1e-6 ? -Math.log1p(fit.shape * y) / fit.shape : -y;
    return Math.min(MAX_SURPRISE, -Math.log(fit.tailShare) - lnSurvival);
  }

  private remember(raw: number): void {
    this.history.push(raw);
    this.sorted.splice(lowerBound(this.sorted, raw), 0, raw);
    if (this.history.length > this.historySize) {
      const old = this.history.shift() as number;
      this.sorted.splice(lowerBound(this.sorted, old), 1);
    }
  }

  private refit(): void {
    const sorted = this.sorted;
    if (sorted.length < MIN_FIT) {
      this.fit = null;
      return;
    }
    const threshold = quantile(sorted, TAIL_QUANTILE);
    const tailShare = 1 - TAIL_QUANTILE;
    // Fit the generalised Pareto to the median and 90th percentile of the excesses, not to
    // their moments: the few largest points (often anomalies that slipped in) cannot move it.
    const e50 = quantile(sorted, TAIL_QUANTILE + 0.5 * tailShare) - threshold;
    const e90 = quantile(sorted, TAIL_QUANTILE + 0.9 * tailShare) - threshold;
    let shape = 0;
    let scale = 0;
    if (e50 > 0 && e90 > e50) {
      shape = gpdShapeFromQuantileRatio(e90 / e50);
      scale = shape > 1e-6 ? (shape * e50) / (2 ** shape - 1) : e50 / Math.LN2;
    } else if (e90 > 0) {
      scale = e90 / Math.log(10);
    }
    this.fit = { threshold, tailShare, shape, scale };
  }

  toJSON(): AnomalyLikelihoodJSON {
    return {
      history: packFloat32(this.history),
      recent: [...this.recent],
      updates: this.updates,
      excludedAt: [...this.excludedAt],
    };
  }

  static fromJSON(json: AnomalyLikelihoodJSON, historySize?: number, window?: number): AnomalyLikelihood {
    if (!json || !Array.isArray(json.recent)) throw new Error('anomaly likelihood: bad state');
    const l = new AnomalyLikelihood(historySize, window);
    for (const x of readFloatList(json.history, 'anomaly likelihood history').slice(-l.historySize))
      l.remember(x);
    l.recent = json.recent.map(Number);
    l.updates = Number(json.updates) || 0;
    l.excludedAt = Array.isArray(json.excludedAt) ? json.excludedAt.map(Number) : [];
    l.refit();
    return l;
  }
}

/** Interpolated quantile of an ascending array. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * Shape ξ of a generalised Pareto whose 90th/50th percentile ratio is `ratio`:
 * (10^ξ − 1)/(2^ξ − 1), which is ln 10/ln 2 ≈ 3.32 at ξ = 0 (exponential tail) and grows
 * with ξ. Clamped to [0, 0.5]: light tails are treated as exponential (conservative), and
 * heavier than ξ = 0.5 is not credible from a few dozen excesses.
 */
function gpdShapeFromQuantileRatio(ratio: number): number {
  const r = (xi: number) => (xi < 1e-9 ? Math.log(10) / Math.LN2 : (10 ** xi - 1) / (2 ** xi - 1));
  if (ratio <= r(0)) return 0;
  if (ratio >= r(0.5)) return 0.5;
  let lo = 0;
  let hi = 0.5;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (r(mid) < ratio) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
export function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const r =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851638 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
