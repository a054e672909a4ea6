import { Router, type Response } from 'express';
import type { IngestLimits } from '@aihub/core';
import { ApiError, sendError } from '../http/errors';
import type { IngestService } from '../ingest/ingest-service';
import {
  ExportMetricsServiceRequest,
  ExportMetricsServiceResponse,
  RpcStatus,
  type OtlpRequest,
} from './otlp-proto';
import { otlpToSamples } from './otlp-to-samples';
import { readBody } from '../http/body';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

// google.rpc.Code for the HTTP statuses the receiver answers with.
const RPC_CODE: Record<number, number> = { 400: 3, 401: 16, 413: 8, 415: 3, 429: 8, 503: 14 };

/**
 * OTLP/HTTP metrics receiver: `POST /v1/metrics` with application/x-protobuf or
 * application/json (optionally gzip). Points become samples through the ingest path;
 * points that cannot be stored are reported in partial_success, as the protocol asks.
 */
export function createOtlpRouter(deps: {
  ingest: IngestService;
  limits: IngestLimits;
  now?: () => number;
}): Router {
  const router = Router();
  router.post('/v1/metrics', async (req, res) => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const binary = type === PROTOBUF;
    try {
      if (!binary && type !== JSON_TYPE) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          `Content-Type must be ${PROTOBUF} or ${JSON_TYPE}`,
          [{ path: 'Content-Type', message: `got "${type || '(none)'}"` }],
        );
      }
      const body = await readBody(req, deps.limits.maxBodyBytes);
      const request = decode(body, binary);
      const now = (deps.now ?? Date.now)();
      const { samples, rejected, errors } = otlpToSamples(request, deps.limits, now);
      for (let i = 0; i < samples.length; i += deps.limits.maxItems) {
        await deps.ingest.ingest({ samples: samples.slice(i, i + deps.limits.maxItems) }, { source: 'otlp' });
      }
      const partial =
        rejected > 0 ? { rejectedDataPoints: rejected, errorMessage: errors.join('; ') } : undefined;
      if (binary) {
        const msg = ExportMetricsServiceResponse.create(partial ? { partialSuccess: partial } : {});
        res
          .status(200)
          .type(PROTOBUF)
          .send(Buffer.from(ExportMetricsServiceResponse.encode(msg).finish()));
      } else {
        res.status(200).json(partial ? { partialSuccess: partial } : {});
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (binary) return sendStatus(res, err);
      sendError(res, err);
    }
  });
  return router;
}

function decode(body: Buffer, binary: boolean): OtlpRequest {
  try {
    if (binary) return ExportMetricsServiceRequest.decode(body) as unknown as OtlpRequest;
    const json: unknown = JSON.parse(body.toString('utf8'), rejectWrappingTimes);
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Error('the body must be a JSON object');
    return ExportMetricsServiceRequest.fromObject(json as Record<string, unknown>) as unknown as OtlpRequest;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      400,
      binary ? 'malformed_protobuf' : 'malformed_json',
      'the body is not an OTLP ExportMetricsServiceRequest',
      [{ path: '(body)', message: (err as Error).message }],
    );
  }
}

const UINT64_MAX = 18446744073709551615n;

/**
 * OTLP JSON carries nanosecond times as decimal strings; the protobuf decoder would wrap a
 * value beyond uint64 modulo 2^64 (99999999999999999999999 → 1976). Such a time is a 400
 * naming the field, never a point silently moved decades back.
 */
function rejectWrappingTimes(key: string, value: unknown): unknown {
  if (!key.endsWith('imeUnixNano') || value === null || value === undefined) return value;
  const text = String(value);
  if (!/^\d{1,20}$/.test(text) || BigInt(text) > UINT64_MAX) {
    throw new ApiError(400, 'invalid_timestamp', 'an OTLP time is not a uint64 count of nanoseconds', [
      { path: key, message: `${text.slice(0, 40)} is not 0 … ${UINT64_MAX}` },
    ]);
  }
  return value;
}

/** OTLP/HTTP errors on a protobuf request: a google.rpc.Status message. */
function sendStatus(res: Response, err: ApiError): void {
  const msg = RpcStatus.create({ code: RPC_CODE[err.status] ?? 2, message: `${err.code}: ${err.message}` });
  res
    .set(err.headers)
    .status(err.status)
    .type(PROTOBUF)
    .send(Buffer.from(RpcStatus.encode(msg).finish()));
}
