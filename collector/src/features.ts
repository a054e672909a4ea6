import type { Env } from '@aihub/core';
import type { CollectorConfig } from './config';
import type { CollectorFeature } from './collector';
import { analysisFeature } from './analysis/feature';
import { otlpFeature } from './otlp/otlp-feature';
import { remoteWriteFeature } from './remote-write/remote-write-feature';
import { loadStreamConfig } from './streams/stream-config';
import { streamFeature } from './streams/stream-feature';
import { tensorboardFeature } from './tensorboard/tensorboard-feature';
import { trainingRunsFeature } from './training/training-runs-feature';

/**
 * The optional parts of the collector (streams, analysis, OTLP, remote write, TensorBoard), wired in one
 * place. `env` carries the settings these parts read beyond CollectorConfig.
 */
export function defaultFeatures(config: CollectorConfig, env: Env = process.env): CollectorFeature[] {
  const streams = loadStreamConfig(env);
  const features = [
    trainingRunsFeature({ staleAfterMs: streams.staleAfterMs }),
    streamFeature(streams),
    otlpFeature(),
    remoteWriteFeature(),
    analysisFeature({ env }),
  ];
  if (config.tensorboardLogdir) features.push(tensorboardFeature(config.tensorboardLogdir, env));
  return features;
}
