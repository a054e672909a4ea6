import { CALENDAR_FEATURES, extractFeatures, type Point } from './features';
import { IsolationForest, type IsolationForestOptions } from './isolationForest';
import { Standardiser } from './standardiser';

export interface PlainForestOptions {
  minHistory?: number;
  maxHistory?: number;
  retrainEvery?: number;
  /** Expected share of anomalies: the alert threshold is this upper quantile of training scores. */
  contamination?: number;
  suppressionMs?: number;
  forest?: IsolationForestOptions;
}

/**
 * The original plan's detector, for comparison only: an isolation forest on the standardised
 * features, online (trained on earlier points, retrained periodically), alerting when a
 * point's score exceeds the training scores' (1 − contamination) quantile, with the same
 * suppression window as the streaming detector. Returns the indices where it alerts.
 */
export function plainForestAlerts(points: readonly Point[], options: PlainForestOptions = {}): number[] {
  const {
    minHistory = 100,
    maxHistory = 1000,
    retrainEvery = 500,
    contamination = 0.01,
    suppressionMs = 30 * 60_000,
  } = options;
  const rows = extractFeatures(points);
  const alerts: number[] = [];
  let model: { s: Standardiser; f: IsolationForest; threshold: number } | null = null;
  let trainedAt = -Infinity;
  let lastAlert = -Infinity;
  for (let i = 0; i < points.length; i++) {
    if (i >= minHistory && (model === null || i - trainedAt >= retrainEvery)) {
      const train = rows.slice(Math.max(0, i - maxHistory), i);
      const s = Standardiser.fit(train);
      const f = IsolationForest.train(s.transformAll(train), {
        calendarFeatures: CALENDAR_FEATURES,
        ...options.forest,
      });
      const scores = f.scoreAll(s.transformAll(train)).sort((a, b) => a - b);
      model = {
        s,
        f,
        threshold: scores[Math.min(scores.length - 1, Math.floor((1 - contamination) * scores.length))],
      };
      trainedAt = i;
    }
    if (!model) continue;
    if (
      model.f.score(model.s.transform(rows[i])) > model.threshold &&
      points[i].timestamp - lastAlert >= suppressionMs
    ) {
      alerts.push(i);
      lastAlert = points[i].timestamp;
    }
  }
  return alerts;
}
