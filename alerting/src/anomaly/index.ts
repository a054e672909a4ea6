/**
 * Anomaly detection for alerting's `type: anomaly` rules.
 *
 * - `createStreamingDetector(options)` — one per series: `update({timestamp, value})` scores
 *   the newest point in [0, 1] from earlier points only, with `alert`, `severity` and context;
 *   `toJSON()` / `restoreStreamingDetector(json)` persist it (anomaly_models); `retrain()`
 *   for a rule's cron.
 * - `IsolationForest` — Liu et al. (2008), seeded, subsampled, serialisable; scikit-learn parity.
 * - `extractFeatures(points)` — the original plan's features, `FEATURE_NAMES` in column order.
 * - `severityFromHistory(value, history)` — severity `auto` (p99 critical, p95 warning) and context.
 */
export {
  createStreamingDetector,
  DEFAULT_SCORE_THRESHOLD,
  restoreStreamingDetector,
  StreamingDetector,
} from './streamingDetector';
export type { DetectorResult, StreamingDetectorJSON, StreamingDetectorOptions } from './streamingDetector';
export { IsolationForest } from './isolationForest';
export type { IsolationForestJSON, IsolationForestOptions } from './isolationForest';
export { CALENDAR_FEATURES, extractFeatures, FEATURE_NAMES } from './features';
export type { Point } from './features';
export { Standardiser } from './standardiser';
export { orderSeries } from './orderSeries';
export type { OrderedSeries } from './orderSeries';
export { severityFromHistory } from './severity';
export type { Severity, SeverityContext } from './severity';
