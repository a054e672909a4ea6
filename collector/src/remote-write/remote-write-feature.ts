import type { CollectorContext, CollectorFeature } from '../collector';
import { createRemoteWriteEndpoint } from './remote-write-route';

/** Prometheus remote write 1.0 at POST /api/v1/write (in the fast lane: Prometheus's spelling). */
export function remoteWriteFeature(): CollectorFeature {
  let endpoint: ReturnType<typeof createRemoteWriteEndpoint> | undefined;
  // One endpoint for both lanes, so they share its count of writes in flight.
  const endpointFor = (ctx: CollectorContext) =>
    (endpoint ??= createRemoteWriteEndpoint({
      ingest: ctx.ingest,
      telemetry: ctx.telemetry,
      limits: ctx.config.limits,
      maxInflight: ctx.config.maxInflightPushes,
    }));
  return {
    name: 'remote-write',
    router: (ctx) => endpointFor(ctx).router,
    fastRoutes: (ctx) => [endpointFor(ctx).route],
  };
}
