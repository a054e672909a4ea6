import { Router } from 'express';
import { readJsonBody } from '../http/body';
import { ApiError, sendError } from '../http/errors';
import type { IngestService } from './ingest-service';
import type { CollectorTelemetry } from '../telemetry/telemetry';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** POST /v1/push: 202 {accepted} once the batch is committed. */
export function createPushRouter(deps: {
  ingest: IngestService;
  telemetry: CollectorTelemetry;
  maxBodyBytes: number;
  /** Pushes being read and validated at once; beyond this, 429 (bounds memory and CPU). */
  maxInflight: number;
}): Router {
  const router = Router();
  let inflight = 0;
  router.post('/v1/push', async (req, res) => {
    // Shed load before spending CPU and memory on the body.
    if (inflight >= deps.maxInflight || deps.ingest.overloaded) {
      deps.telemetry.countRejected('overloaded');
      req.resume();
      return sendError(
        res,
        new ApiError(429, 'overloaded', 'the collector is at capacity; retry later', [], {
          'Retry-After': '1',
        }),
      );
    }
    inflight++;
    try {
      const key = req.header('idempotency-key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new ApiError(
          400,
          'invalid_header',
          'Idempotency-Key must be 1–200 printable ASCII characters',
          [{ path: 'Idempotency-Key', message: 'invalid' }],
        );
      }
      const body = await readJsonBody(req, deps.maxBodyBytes);
      const result = await deps.ingest.ingest(body, { idempotencyKey: key });
      if (result.duplicate) res.set('Idempotent-Replayed', 'true');
      res.status(202).json({ accepted: result.accepted });
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 413) deps.telemetry.countRejected('too_large');
        if (err.status === 415) deps.telemetry.countRejected('unsupported');
        if (err.status === 400 && err.code !== 'invalid_payload') deps.telemetry.countRejected('invalid');
        return sendError(res, err);
      }
      throw err;
    } finally {
      inflight--;
    }
  });
  return router;
}
