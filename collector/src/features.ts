import type { CollectorConfig } from './config';
import type { CollectorFeature } from './collector';

/** The optional parts of the collector (streams, analysis, OTLP, TensorBoard), wired in one place. */
export function defaultFeatures(_config: CollectorConfig): CollectorFeature[] {
  return [];
}
