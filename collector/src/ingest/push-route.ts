import { Router } from 'express';
import { readJsonBody } from '../http/body';
import { ApiError, sendError } from '../http/errors';
import type { IngestService } from './ingest-service';
import type { CollectorTelemetry } from '../telemetry/telemetry';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** POST /v1/push: 202 {accepted} once the batch is committed. */
export function createPushRouter(deps: { ingest: IngestService; telemetry: CollectorTelemetry; maxBodyBytes: number }): Router {
  const router = Router();
  router.post('/v1/push', async (req, res) => {
    try {
      const key = req.header('idempotency-key');
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new ApiError(400, 'invalid_header', 'Idempotency-Key must be 1–200 printable ASCII characters', [
          { path: 'Idempotency-Key', message: 'invalid' },
        ]);
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
    }
  });
  return router;
}
