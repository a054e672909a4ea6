import { CALENDAR_FEATURES, featureRowOf, FEATURE_NAMES, type Point } from './features';
import { IsolationForest, type IsolationForestJSON, type IsolationForestOptions } from './isolationForest';
import { AnomalyLikelihood, erfc, type AnomalyLikelihoodJSON } from './likelihood';
import { median, robustLevel, robustZ } from './robustBaseline';
import { SeasonalProfile, type SeasonalProfileJSON } from './seasonalProfile';
import { severityFromSortedHistory, type Severity, type SeverityContext } from './severity';
import { Standardiser, type StandardiserJSON } from './standardiser';
import { lowerBound } from './sorted';
import { packFloat32, readFloatList } from './packedFloats';

export interface StreamingDetectorOptions {
  /** Points before anything is scored and the forest first trains (DESIGN.md `min_history`, default 100). */
  minHistory?: number;
  /** Points kept for retraining and severity (original plan: the last 1,000). */
  maxHistory?: number;
  /**
   * Raw scores the anomaly likelihood learns the series' normal surprise from (default
   * 2,000: about a week at 5-minute resolution; measured on NAB, 1,000 and 8,000 do worse).
   */
  likelihoodHistory?: number;
  /** Points in the rolling median/MAD baseline (default 60). */
  baselineWindow?: number;
  /** Retrain the forest every this many points; 0 leaves it to `retrain()` (e.g. the rule's cron). Default 500. */
  retrainEvery?: number;
  /**
   * Score at or above which `alert` is raised. Default DEFAULT_SCORE_THRESHOLD, the threshold
   * NAB's standard profile found optimal for this detector over the NAB corpus (docs/anomaly.md).
   */
  threshold?: number;
  /** After an alert, no new alert for this long (ms; original plan: 30 min). */
  suppressionMs?: number;
  /** Combine the isolation forest's surprise with the baselines' (default true). */
  useForest?: boolean;
  /**
   * A score is reported only when it beats every raw score of the this many points before it
   * (otherwise 0), as CAD OSE does: one high score at the start of an anomaly rather than a
   * plateau of them, so one threshold serves every series (default 50; on NAB 50–100 are
   * within a point of each other, 200 is worse).
   */
  restPoints?: number;
  forest?: IsolationForestOptions;
}

/** NAB-optimal threshold of the standard profile for the default settings (bench/results/anomaly-nab.json). */
export const DEFAULT_SCORE_THRESHOLD = 0.771;

type Settings = Required<Omit<StreamingDetectorOptions, 'forest'>> & { forest: IsolationForestOptions };

export interface DetectorResult {
  timestamp: number;
  value: number;
  /** Anomaly score in [0, 1]; 0 during warm-up. */
  score: number;
  /** score ≥ threshold and outside the suppression window of the previous alert. */
  alert: boolean;
  warmingUp: boolean;
  severity: Severity;
  context: SeverityContext;
  /** The signals behind the score, for explanations and tuning. */
  components: {
    /** Robust z of the value against its baselines (min over local and seasonal). */
    robustZ: number;
    /** Isolation-forest s(x), null before the first training. */
    forestScore: number | null;
    /** Calibrated surprise of the recent points, in nats. */
    surprise: number;
  };
}

export interface StreamingDetectorJSON {
  kind: 'streaming-detector';
  version: 1;
  options: Settings;
  timestamps: number[];
  values: number[];
  seen: number;
  sinceTraining: number;
  lastAlertAt: number | null;
  /** Raw scores of the last `restPoints` points (absent in older states). */
  recentRaw?: number[];
  profile: SeasonalProfileJSON;
  likelihood: AnomalyLikelihoodJSON;
  model: {
    standardiser: StandardiserJSON;
    forest: IsolationForestJSON;
    /** Packed float32 (older states: a JSON array). */
    trainingScores: string | number[];
  } | null;
}

/** Calibrated surprise (nats) that maps to score 1: a p-value of 1e-10, as in Numenta's anomaly likelihood. */
/** Calibrated surprise (nats) that maps to score 1: a p-value of 1e-10, as in Numenta's anomaly likelihood. */
const FULL_SCALE_SURPRISE = Math.log(1e10);
const DAY_MS = 86_400_000;
/** How far from exactly a day earlier a kept point may be to stand for "the same time yesterday". */
const DAY_MATCH_MS = 10 * 60_000;
/** Points the local baseline needs before it judges anything. */
const MIN_BASELINE = 10;

interface TrainedModel {
  standardiser: Standardiser;
  forest: IsolationForest;
  /** In-sample forest scores, ascending: the forest's own null distribution. */
  trainingScores: number[];
}

/**
 * Online anomaly detector for one series. Each `update` scores the newest point from the
 * points before it only: its robust z against a rolling median/MAD (and, once there are days
 * of history, against the hour-of-day/weekday profile — the smaller of the two, so a regular
 * daily rise is not an anomaly), combined with the isolation forest's surprise on the plan's
 * features; the raw surprises pass through an anomaly likelihood (against the last
 * `likelihoodHistory` raw scores) so a series that is always noisy does not alert all day.
 * Finally only a score that beats the last `restPoints` raw scores is reported: one high
 * score where an anomaly starts, zeros while it lasts.
 */
export class StreamingDetector {
  private timestamps: number[] = [];
  private values: number[] = [];
  /** `values` kept sorted incrementally, for severity percentiles without a sort per point. */
  private sortedValues: number[] = [];
  private seen = 0;
  private sinceTraining = 0;
  private lastAlertAt: number | null = null;
  private profile = new SeasonalProfile();
  private likelihood: AnomalyLikelihood;
  /** Raw (unsparsified) scores of the last `restPoints` points. */
  private recentRaw: number[] = [];
  private model: TrainedModel | null = null;

  constructor(private readonly settings: Settings) {
    this.likelihood = new AnomalyLikelihood(settings.likelihoodHistory);
  }

  get options(): Readonly<Settings> {
    return this.settings;
  }

  /** Points seen so far. */
  get count(): number {
    return this.seen;
  }

  get trained(): boolean {
    return this.model !== null;
  }

  update(point: Point): DetectorResult {
    const { timestamp, value } = point;
    if (!Number.isFinite(timestamp) || !Number.isFinite(value))
      throw new RangeError('timestamp and value must be finite numbers');
    const last = this.timestamps[this.timestamps.length - 1];
    if (last !== undefined && timestamp < last)
      throw new RangeError(`timestamp ${timestamp} is earlier than the previous point (${last})`);

    const z = this.baselineZ(timestamp, value);
    const forestScore = this.model ? this.forestScore(timestamp, value) : null;
    const flatAndUnchanged = z === 0 && this.isFlat();
    let surprise = 0;
    if (this.values.length >= MIN_BASELINE) {
      // The forest's features are window statistics, so its verdicts on neighbouring points
      // are correlated: it joins the newest point's surprise but not the run-length sum
      // (measured: adding it to the sum tripled false alerts on the synthetic suite). It
      // speaks only where the baselines see at least a little (z ≥ 1): on a series that
      // repeats daily it otherwise flags every expected step (a square wave, every day).
      const forestSurprise =
        forestScore === null || z < 1 ? 0 : this.likelihood.surpriseOf(this.forestZ(forestScore));
      surprise = Math.max(this.likelihood.update(flatAndUnchanged ? 0 : z), forestSurprise);
    }
    const warmingUp = this.seen < this.settings.minHistory;
    const raw = warmingUp || flatAndUnchanged ? 0 : Math.min(1, surprise / FULL_SCALE_SURPRISE);
    const score = raw > Math.max(0, ...this.recentRaw) ? raw : 0;
    this.recentRaw.push(raw);
    if (this.recentRaw.length > this.settings.restPoints) this.recentRaw.shift();
    const { severity, context } = severityFromSortedHistory(value, this.sortedValues);

    let alert = false;
    if (
      score >= this.settings.threshold &&
      !(this.lastAlertAt !== null && timestamp - this.lastAlertAt < this.settings.suppressionMs)
    ) {
      alert = true;
      this.lastAlertAt = timestamp;
    }

    this.remember(timestamp, value);
    if (this.settings.useForest) {
      const due =
        this.model === null
          ? this.seen >= this.settings.minHistory
          : this.settings.retrainEvery > 0 && this.sinceTraining >= this.settings.retrainEvery;
      if (due) this.retrain();
    }
    return {
      timestamp,
      value,
      score,
      alert,
      warmingUp,
      severity,
      context,
      components: { robustZ: z, forestScore, surprise },
    };
  }

  /**
   * Trains a fresh forest (and standardiser) on the kept history, replacing the old one.
   * Seeded, so the same history gives the same model. No-op before `minHistory` points.
   */
  retrain(): void {
    if (
      this.values.length < Math.min(this.settings.minHistory, this.settings.maxHistory) ||
      this.values.length < 2
    )
      return;
    const rows = this.values.map((_, i) =>
      featureRowOf(this.values, this.timestamps[i], i > 0 ? this.timestamps[i - 1] : undefined, i),
    );
    const standardiser = Standardiser.fit(rows);
    const scaled = standardiser.transformAll(rows);
    const forest = IsolationForest.train(scaled, this.settings.forest);
    const trainingScores = forest
      .scoreAll(scaled)
      .map(Math.fround) // float32, so that the packed state restores exactly
      .sort((a, b) => a - b);
    this.model = { standardiser, forest, trainingScores };
    this.sinceTraining = 0;
  }

  private remember(timestamp: number, value: number): void {
    this.timestamps.push(timestamp);
    this.values.push(value);
    this.sortedValues.splice(lowerBound(this.sortedValues, value), 0, value);
    if (this.values.length > this.settings.maxHistory) {
      this.timestamps.shift();
      const old = this.values.shift() as number;
      this.sortedValues.splice(lowerBound(this.sortedValues, old), 1);
    }
    this.profile.add(timestamp, value);
    this.seen++;
    this.sinceTraining++;
  }

  private window(): number[] {
    return this.values.slice(-this.settings.baselineWindow);
  }

  private isFlat(): boolean {
    return this.values.length >= MIN_BASELINE && robustLevel(this.window()).scale === 0;
  }

  private baselineZ(timestamp: number, value: number): number {
    if (this.values.length < MIN_BASELINE) return 0;
    const localLevel = robustLevel(this.window());
    const local = Math.min(robustZ(value, localLevel), this.dayAgoZ(timestamp, value, localLevel.scale));
    if (!this.profile.ready) return local;
    const from = Math.max(0, this.values.length - this.settings.baselineWindow);
    const adjusted: number[] = [];
    for (let i = from; i < this.values.length; i++)
      adjusted.push(this.values[i] - this.profile.component(this.timestamps[i]));
    const seasonal = robustZ(value - this.profile.component(timestamp), robustLevel(adjusted));
    return Math.min(local, seasonal);
  }

  /**
   * z of the change from the same time a day earlier against the recent day-over-day
   * changes — used only where that predicts the series at least as well as the rolling
   * median (its changes are no noisier), i.e. where the series repeats itself daily: a step
   * that comes every day at 18:00 is then expected, while the median lags behind it and the
   * likelihood, seeing it once a day, would never learn it. Infinity when not applicable.
   */
  private dayAgoZ(timestamp: number, value: number, localScale: number): number {
    const n = this.values.length;
    const residuals: number[] = [];
    for (let i = Math.max(0, n - this.settings.baselineWindow); i < n; i++) {
      const r = this.dayAgoResidual(this.timestamps[i], this.values[i]);
      if (r !== null) residuals.push(r);
    }
    const r = this.dayAgoResidual(timestamp, value);
    if (r === null || residuals.length < MIN_BASELINE) return Infinity;
    const level = robustLevel(residuals);
    if (!(level.scale <= localScale)) return Infinity;
    return robustZ(r, { center: median(residuals), scale: level.scale });
  }

  /** value minus the kept value at the same time a day earlier (± DAY_MATCH_MS), or null. */
  private dayAgoResidual(timestamp: number, value: number): number | null {
    const target = timestamp - DAY_MS;
    const i = lowerBound(this.timestamps, target);
    if (i >= this.timestamps.length || this.timestamps[i] - target > DAY_MATCH_MS) return null;
    return value - this.values[i];
  }

  private forestScore(timestamp: number, value: number): number {
    const model = this.model as TrainedModel;
    const n = this.values.length;
    const values = [...this.values.slice(-15), value];
    const previous = n > 0 ? this.timestamps[n - 1] : undefined;
    const row = featureRowOf(values, timestamp, previous, values.length - 1);
    return model.forest.score(model.standardiser.transform(row));
  }

  /**
   * The forest's verdict on the z scale of the baselines: the share p of training points it
   * found at least as anomalous (smoothed), as the z with two-sided normal tail p. The
   * forest judges the window's shape (moving averages, volatility, time of day) that the
   * baselines do not see.
   */
  private forestZ(score: number): number {
    const sorted = (this.model as TrainedModel).trainingScores;
    const atLeast = sorted.length - lowerBound(sorted, score);
    return zOfTwoSidedTail((atLeast + 1) / (sorted.length + 1));
  }

  toJSON(): StreamingDetectorJSON {
    return {
      kind: 'streaming-detector',
      version: 1,
      options: this.settings,
      timestamps: [...this.timestamps],
      values: [...this.values],
      seen: this.seen,
      sinceTraining: this.sinceTraining,
      lastAlertAt: this.lastAlertAt,
      recentRaw: [...this.recentRaw],
      profile: this.profile.toJSON(),
      likelihood: this.likelihood.toJSON(),
      model: this.model && {
        standardiser: this.model.standardiser.toJSON(),
        forest: this.model.forest.toJSON(),
        trainingScores: packFloat32(this.model.trainingScores),
      },
    };
  }

  static fromJSON(json: unknown): StreamingDetector {
    const j = json as Partial<StreamingDetectorJSON> | null;
    if (!j || j.kind !== 'streaming-detector' || j.version !== 1)
      throw new Error('streaming detector: not a version 1 state');
    const d = new StreamingDetector(resolveOptions(j.options ?? {}));
    if (!Array.isArray(j.timestamps) || !Array.isArray(j.values) || j.timestamps.length !== j.values.length) {
      throw new Error('streaming detector: timestamps and values must be arrays of equal length');
    }
    d.timestamps = j.timestamps.map(Number);
    d.values = j.values.map(Number);
    if (!d.values.every(Number.isFinite) || !d.timestamps.every(Number.isFinite))
      throw new Error('streaming detector: non-finite point in state');
    d.sortedValues = [...d.values].sort((a, b) => a - b);
    d.seen = Number(j.seen) || d.values.length;
    d.sinceTraining = Number(j.sinceTraining) || 0;
    d.lastAlertAt = j.lastAlertAt ?? null;
    d.profile = SeasonalProfile.fromJSON(j.profile as SeasonalProfileJSON);
    d.likelihood = AnomalyLikelihood.fromJSON(
      j.likelihood as AnomalyLikelihoodJSON,
      d.settings.likelihoodHistory,
    );
    d.recentRaw = Array.isArray(j.recentRaw) ? j.recentRaw.map(Number).slice(-d.settings.restPoints) : [];
    if (j.model) {
      const forest = IsolationForest.fromJSON(j.model.forest);
      if (forest.nFeatures !== FEATURE_NAMES.length)
        throw new Error('streaming detector: model has the wrong number of features');
      d.model = {
        standardiser: Standardiser.fromJSON(j.model.standardiser),
        forest,
        trainingScores: readFloatList(j.model.trainingScores, 'streaming detector trainingScores'),
      };
    }
    return d;
  }
}

function resolveOptions(options: StreamingDetectorOptions): Settings {
  const s: Settings = {
    minHistory: options.minHistory ?? 100,
    maxHistory: options.maxHistory ?? 1000,
    likelihoodHistory: options.likelihoodHistory ?? 2000,
    baselineWindow: options.baselineWindow ?? 60,
    retrainEvery: options.retrainEvery ?? 500,
    threshold: options.threshold ?? DEFAULT_SCORE_THRESHOLD,
    suppressionMs: options.suppressionMs ?? 30 * 60_000,
    useForest: options.useForest ?? true,
    restPoints: options.restPoints ?? 50,
    forest: {
      nEstimators: 100,
      maxSamples: 256,
      seed: 42,
      calendarFeatures: CALENDAR_FEATURES,
      ...options.forest,
    },
  };
  const positiveInt = (name: keyof Settings, min: number) => {
    const v = s[name] as number;
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`${name} must be an integer ≥ ${min}, got ${v}`);
  };
  positiveInt('minHistory', 1);
  positiveInt('maxHistory', 16);
  positiveInt('likelihoodHistory', 16);
  positiveInt('restPoints', 0);
  positiveInt('baselineWindow', MIN_BASELINE);
  positiveInt('retrainEvery', 0);
  if (!(s.threshold > 0 && s.threshold <= 1))
    throw new RangeError(`threshold must be in (0, 1], got ${s.threshold}`);
  if (!(s.suppressionMs >= 0)) throw new RangeError(`suppressionMs must be ≥ 0, got ${s.suppressionMs}`);
  return s;
}

/** A detector for one series; options are validated (RangeError names the bad one). */
export function createStreamingDetector(options: StreamingDetectorOptions = {}): StreamingDetector {
  return new StreamingDetector(resolveOptions(options));
}

/** Reloads a detector from `toJSON()` output (e.g. the anomaly_models table). */
export function restoreStreamingDetector(state: unknown): StreamingDetector {
  return StreamingDetector.fromJSON(state);
}

/** z with P(|N(0,1)| ≥ z) = p, by bisection on erfc (p in (0, 1]). */
function zOfTwoSidedTail(p: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (erfc(mid / Math.SQRT2) > p) lo = mid;
    else hi = mid;
  }
  return lo;
}
