import type { CollectorFeature } from '../collector';
import { createRemoteWriteRouter } from './remote-write-route';

/** Prometheus remote write 1.0 at POST /api/v1/write. */
export function remoteWriteFeature(): CollectorFeature {
  return {
    name: 'remote-write',
    router: (ctx) =>
      createRemoteWriteRouter({
        ingest: ctx.ingest,
        telemetry: ctx.telemetry,
        limits: ctx.config.limits,
        maxInflight: ctx.config.maxInflightPushes,
      }),
  };
}
