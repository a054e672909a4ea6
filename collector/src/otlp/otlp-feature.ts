import type { CollectorFeature } from '../collector';
import { createOtlpRouter } from './otlp-route';

/** OTLP/HTTP metrics at POST /v1/metrics, model-call spans at POST /v1/traces. */
export function otlpFeature(): CollectorFeature {
  return {
    name: 'otlp',
    router: (ctx) =>
      createOtlpRouter({ ingest: ctx.ingest, telemetry: ctx.telemetry, limits: ctx.config.limits }),
  };
}
