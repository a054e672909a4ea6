export * from './types';
export * from './statistics';
export * from './thresholds';
export { diagnose, type DiagnosisResult } from './diagnostics';
export {
  groupTrainingRuns,
  trainingMetricOf,
  TRAINING_METRICS,
  type TrainingMetric,
  type TrainingRun,
} from './diagnostics/training-runs';
export * from './facts';
export * from './prompts';
export * from './narrative';
export * from './untrusted-text';
export * from './request-schemas';
export * from './llm/config';
export * from './llm/errors';
export * from './llm/response-cache';
export * from './llm/client';
