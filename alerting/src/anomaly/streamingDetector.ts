import {
  ContextualNovelty,
  type ContextualNoveltyJSON,
  type ContextualNoveltyOptions,
} from './contextualNovelty';
import { CALENDAR_FEATURES, featureRowOf, FEATURE_NAMES, type Point } from './features';
import { IsolationForest, type IsolationForestJSON, type IsolationForestOptions } from './isolationForest';
import { AnomalyLikelihood, type AnomalyLikelihoodJSON } from './likelihood';
import { robustLevel, robustZ } from './robustBaseline';
import { SeasonalProfile, type SeasonalProfileJSON } from './seasonalProfile';
import { severityFromSortedHistory, type Severity, type SeverityContext } from './severity';
import { Standardiser, type StandardiserJSON } from './standardiser';
import { lowerBound } from './sorted';

export interface StreamingDetectorOptions {
  /** Points before anything is scored and the forest first trains (DESIGN.md `min_history`, default 100). */
  minHistory?: number;
  /** Points kept for retraining and severity (original plan: the last 1,000). */
  maxHistory?: number;
  /** Points in the rolling median/MAD baseline (default 60). */
  baselineWindow?: number;
  /** Retrain the forest every this many points; 0 leaves it to `retrain()` (e.g. the rule's cron). Default 500. */
  retrainEvery?: number;
  /**
   * Score at or above which `alert` is raised (default 0.3: every novelty the forest does not
   * grade down; the NAB-optimal threshold, see docs/anomaly.md).
   */
  threshold?: number;
  /** After a novelty, the score is held at 0 for this many points: one event, one alert (default 120). */
  restPoints?: number;
  novelty?: ContextualNoveltyOptions;
  /** After an alert, no new alert for this long (ms; original plan: 30 min). */
  suppressionMs?: number;
  /** Grade each novelty by the isolation forest's verdict on the point's features (default true). */
  useForest?: boolean;
  forest?: IsolationForestOptions;
}

type Settings = Required<Omit<StreamingDetectorOptions, 'forest' | 'novelty'>> & {
  forest: IsolationForestOptions;
  novelty: ContextualNoveltyOptions;
};

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
    /** Isolation-forest s(x) of a novelty; null for other points and before the first training. */
    forestScore: number | null;
    /** Calibrated surprise of the recent points, in nats. */
    surprise: number;
    /** Contextual novelty grade of the newest point in [0, 1] (before the rest period). */
    novelty: number;
  };
}

export interface StreamingDetectorJSON {
  kind: 'streaming-detector';
  version: 2;
  options: Settings;
  timestamps: number[];
  values: number[];
  seen: number;
  sinceTraining: number;
  lastAlertAt: number | null;
  profile: SeasonalProfileJSON;
  likelihood: AnomalyLikelihoodJSON;
  novelty: ContextualNoveltyJSON;
  restRemaining: number;
  model: { standardiser: StandardiserJSON; forest: IsolationForestJSON; trainingScores: number[] } | null;
}

/** Points the local baseline needs before it judges anything. */
const MIN_BASELINE = 10;

interface TrainedModel {
  standardiser: Standardiser;
  forest: IsolationForest;
  /** In-sample forest scores, ascending: the forest's own null distribution. */
  trainingScores: number[];
}

/**
 * The shipped `score_threshold`: the NAB-optimal one found by `npm run bench` (anomaly-nab):
 * a step one level from anything known alerts only where the forest finds it unusual too;
 * larger steps always do (docs/anomaly.md).
 */
export const DEFAULT_SCORE_THRESHOLD = 0.321;

/** Share of a novelty's score the forest decides: 0.5 keeps every novelty at ≥ half its grade. */
const FOREST_WEIGHT = 0.5;

/**
 * Online anomaly detector for one series. Each `update` scores the newest point from the
 * points before it only. The score is the point's contextual novelty (a step to a level
 * never seen after the previous one; contextualNovelty.ts), graded by the isolation forest's
 * verdict on the plan's features, and then held at 0 for `restPoints` points so one event
 * raises one alert. Beside it, as explanations: the robust z against a rolling median/MAD
 * (and the hour-of-day/weekday profile) and its calibrated surprise (anomaly likelihood).
 * docs/anomaly.md gives the NAB figures of each part.
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
  private model: TrainedModel | null = null;
  private novelty: ContextualNovelty;
  private restRemaining = 0;

  constructor(private readonly settings: Settings) {
    this.likelihood = new AnomalyLikelihood(settings.maxHistory);
    this.novelty = new ContextualNovelty(settings.novelty);
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
    const flatAndUnchanged = z === 0 && this.isFlat();
    // The calibrated surprise of the robust z: an explanation beside the score.
    const surprise =
      this.values.length >= MIN_BASELINE ? this.likelihood.update(flatAndUnchanged ? 0 : z) : 0;
    const novelty = this.novelty.observe(value);
    const warmingUp = this.seen < this.settings.minHistory || !this.novelty.ready;
    let score = 0;
    // The forest judges only novelties (most points are none): it is the detector's cost.
    let forestScore: number | null = null;
    if (this.restRemaining > 0) this.restRemaining--;
    else if (novelty > 0) {
      forestScore = this.model ? this.forestScore(timestamp, value) : null;
      score = warmingUp ? 0 : novelty * this.forestGrade(forestScore);
      this.restRemaining = this.settings.restPoints;
    }
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
      components: { robustZ: z, forestScore, surprise, novelty },
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
    const trainingScores = forest.scoreAll(scaled).sort((a, b) => a - b);
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
    const local = robustZ(value, robustLevel(this.window()));
    if (!this.profile.ready) return local;
    const from = Math.max(0, this.values.length - this.settings.baselineWindow);
    const adjusted: number[] = [];
    for (let i = from; i < this.values.length; i++)
      adjusted.push(this.values[i] - this.profile.component(this.timestamps[i]));
    const seasonal = robustZ(value - this.profile.component(timestamp), robustLevel(adjusted));
    return Math.min(local, seasonal);
  }

  private forestScore(timestamp: number, value: number): number {
    const model = this.model as TrainedModel;
    const n = this.values.length;
    const values = [...this.values.slice(-15), value];
    const previous = n > 0 ? this.timestamps[n - 1] : undefined;
    const row = featureRowOf(values, timestamp, previous, values.length - 1);
    return model.forest.score(model.standardiser.transform(row));
  }

  /** 1 − w + w·(share of training points the forest found less anomalous); 1 without a forest. */
  private forestGrade(forestScore: number | null): number {
    if (!this.settings.useForest || forestScore === null) return 1;
    const sorted = (this.model as TrainedModel).trainingScores;
    return 1 - FOREST_WEIGHT + FOREST_WEIGHT * (lowerBound(sorted, forestScore) / Math.max(1, sorted.length));
  }

  toJSON(): StreamingDetectorJSON {
    return {
      kind: 'streaming-detector',
      version: 2,
      options: this.settings,
      timestamps: [...this.timestamps],
      values: [...this.values],
      seen: this.seen,
      sinceTraining: this.sinceTraining,
      lastAlertAt: this.lastAlertAt,
      profile: this.profile.toJSON(),
      likelihood: this.likelihood.toJSON(),
      novelty: this.novelty.toJSON(),
      restRemaining: this.restRemaining,
      model: this.model && {
        standardiser: this.model.standardiser.toJSON(),
        forest: this.model.forest.toJSON(),
        trainingScores: this.model.trainingScores,
      },
    };
  }

  static fromJSON(json: unknown): StreamingDetector {
    const j = json as Partial<StreamingDetectorJSON> | null;
    // Version 1 (before contextual novelty) restores with a novelty that learns its grid anew.
    const version = Number((j as { version?: unknown } | null)?.version);
    if (!j || j.kind !== 'streaming-detector' || (version !== 1 && version !== 2))
      throw new Error('streaming detector: not a version 1 or 2 state');
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
    d.likelihood = AnomalyLikelihood.fromJSON(j.likelihood as AnomalyLikelihoodJSON, d.settings.maxHistory);
    if (j.novelty) d.novelty = ContextualNovelty.fromJSON(j.novelty);
    d.restRemaining = Number(j.restRemaining) || 0;
    if (j.model) {
      const forest = IsolationForest.fromJSON(j.model.forest);
      if (forest.nFeatures !== FEATURE_NAMES.length)
        throw new Error('streaming detector: model has the wrong number of features');
      d.model = {
        standardiser: Standardiser.fromJSON(j.model.standardiser),
        forest,
        trainingScores: j.model.trainingScores.map(Number),
      };
    }
    return d;
  }
}

function resolveOptions(options: StreamingDetectorOptions): Settings {
  const s: Settings = {
    minHistory: options.minHistory ?? 100,
    maxHistory: options.maxHistory ?? 1000,
    baselineWindow: options.baselineWindow ?? 60,
    retrainEvery: options.retrainEvery ?? 500,
    threshold: options.threshold ?? DEFAULT_SCORE_THRESHOLD,
    restPoints: options.restPoints ?? 120,
    novelty: { ...options.novelty },
    suppressionMs: options.suppressionMs ?? 30 * 60_000,
    useForest: options.useForest ?? true,
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
  positiveInt('baselineWindow', MIN_BASELINE);
  positiveInt('retrainEvery', 0);
  positiveInt('restPoints', 0);
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
