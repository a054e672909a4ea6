import type { CollectorFeature } from '../collector';
import { createOtlpRouter } from './otlp-route';

/** OTLP/HTTP metrics at POST /v1/metrics. */
export function otlpFeature(): CollectorFeature {
  return {
    name: 'otlp',
    router: (ctx) => createOtlpRouter({ ingest: ctx.ingest, limits: ctx.config.limits }),
  };
}
