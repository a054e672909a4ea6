import type { IncomingMessage } from 'http';
import { Router } from 'express';
import { readJsonBytes } from '../http/body';
import { BodyBudget, overloadedError } from '../http/body-budget';
import { ApiError, sendError } from '../http/errors';
import type { FastAnswer, FastRoute } from '../http/fast-lane';
import type { IngestService } from './ingest-service';
import type { CollectorTelemetry } from '../telemetry/telemetry';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
const PUSH_PATH = '/v1/push';

export interface PushEndpointDeps {
  ingest: IngestService;
  telemetry: CollectorTelemetry;
  maxBodyBytes: number;
  /**
   * Full-size pushes that may be read and validated at once: the bytes bodies in flight may
   * hold are maxInflight × maxBodyBytes; beyond that, 429 (bounds memory).
   */
  maxInflight: number;
  /** Bodies that may be open at once, however slowly they arrive; beyond this, 429. */
  maxOpenBodies: number;
}

export interface PushEndpoint {
  /** POST /v1/push in every spelling express routes (query string, trailing slash, case). */
  router: Router;
  /** `POST /v1/push` exactly as clients send it, for the fast lane (same handler). */
  route: FastRoute;
}

/** POST /v1/push: 202 {accepted} once the batch is committed. */
export function createPushEndpoint(deps: PushEndpointDeps): PushEndpoint {
  const budget = new BodyBudget(deps.maxOpenBodies, deps.maxInflight * deps.maxBodyBytes);

  async function push(req: IncomingMessage, res: FastAnswer): Promise<void> {
    // Shed load before spending CPU and memory on the body.
    const lease = deps.ingest.overloaded ? null : budget.open();
    if (!lease) {
      deps.telemetry.countRejected('overloaded');
      req.resume();
      return sendError(res, overloadedError());
    }
    try {
      const key = req.headers['idempotency-key'];
      if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
        throw new ApiError(
          400,
          'invalid_header',
          'Idempotency-Key must be 1–200 printable ASCII characters',
          [{ path: 'Idempotency-Key', message: 'invalid' }],
        );
      }
      const body = await readJsonBytes(req, deps.maxBodyBytes, lease).catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 429) deps.telemetry.countRejected('overloaded');
        throw err;
      });
      const result = await deps.ingest.ingestJson(body, { idempotencyKey: key });
      if (result.duplicate) res.set({ 'Idempotent-Replayed': 'true' });
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
      lease.close();
    }
  }

  const router = Router();
  router.post(PUSH_PATH, (req, res) => push(req, res));

  return { router, route: { method: 'POST', path: PUSH_PATH, handle: push } };
}
