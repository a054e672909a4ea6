import { Router, type Request, type Response } from 'express';
import type protobuf from 'protobufjs';
import type { IngestLimits } from '@aihub/core';
import { ApiError, sendError } from '../http/errors';
import type { IngestService } from '../ingest/ingest-service';
import type { CollectorTelemetry } from '../telemetry/telemetry';
import {
  ExportMetricsServiceRequest,
  ExportMetricsServiceResponse,
  ExportTraceServiceRequest,
  ExportTraceServiceResponse,
  RpcStatus,
  type OtlpRequest,
  type OtlpTraceRequest,
} from './otlp-proto';
import { otlpToSamples } from './otlp-to-samples';
import { storeModelCallSpans } from './otlp-traces';
import { readBody } from '../http/body';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

// google.rpc.Code for the HTTP statuses the receiver answers with.
const RPC_CODE: Record<number, number> = { 400: 3, 401: 16, 413: 8, 415: 3, 429: 8, 503: 14 };

/**
 * OTLP/HTTP receivers: `POST /v1/metrics` and `POST /v1/traces` with application/x-protobuf or
 * application/json (optionally gzip). Metric points become samples and model-call spans LLM
 * requests, through the ingest path; what cannot be stored is reported in partial_success, as
 * the protocol asks. The answer comes after COMMIT.
 */
export function createOtlpRouter(deps: {
  ingest: IngestService;
  telemetry: CollectorTelemetry;
  limits: IngestLimits;
  now?: () => number;
}): Router {
  const router = Router();
  const now = () => (deps.now ?? Date.now)();
  const spans = deps.telemetry.meter.createCounter('aihub.otlp.spans', {
    description: 'OTLP spans received, by outcome (stored, duplicate, not_model_call, rejected)',
  });

  router.post(
    '/v1/metrics',
    otlpEndpoint(
      deps.limits,
      ExportMetricsServiceRequest,
      ExportMetricsServiceResponse,
      'ExportMetricsServiceRequest',
      async (request) => {
        const { samples, rejected, errors } = otlpToSamples(request as OtlpRequest, deps.limits, now());
        for (let i = 0; i < samples.length; i += deps.limits.maxItems) {
          await deps.ingest.ingest(
            { samples: samples.slice(i, i + deps.limits.maxItems) },
            { source: 'otlp' },
          );
        }
        return rejected > 0 ? { rejectedDataPoints: rejected, errorMessage: errors.join('; ') } : undefined;
      },
    ),
  );

  router.post(
    '/v1/traces',
    otlpEndpoint(
      deps.limits,
      ExportTraceServiceRequest,
      ExportTraceServiceResponse,
      'ExportTraceServiceRequest',
      async (request) => {
        const { rejected, errors } = await storeModelCallSpans(request as OtlpTraceRequest, {
          ingest: deps.ingest,
          spans,
          now: now(),
        });
        return rejected > 0 ? { rejectedSpans: rejected, errorMessage: errors.join('; ') } : undefined;
      },
    ),
  );
  return router;
}

/**
 * One OTLP/HTTP export endpoint: content negotiation, body limits, decoding, and the answer in
 * the request's encoding (a google.rpc.Status on protobuf errors, the JSON error shape on JSON).
 */
function otlpEndpoint(
  limits: IngestLimits,
  requestType: protobuf.Type,
  responseType: protobuf.Type,
  messageName: string,
  handle: (request: unknown) => Promise<Record<string, unknown> | undefined>,
) {
  return async (req: Request, res: Response) => {
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
      const body = await readBody(req, limits.maxBodyBytes);
      const partial = await handle(decode(body, binary, requestType, messageName));
      const answer = partial ? { partialSuccess: partial } : {};
      if (binary) {
        res
          .status(200)
          .type(PROTOBUF)
          .send(Buffer.from(responseType.encode(responseType.create(answer)).finish()));
      } else {
        res.status(200).json(answer);
      }
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (binary) return sendStatus(res, err);
      sendError(res, err);
    }
  };
}

function decode(body: Buffer, binary: boolean, type: protobuf.Type, messageName: string): unknown {
  try {
    if (binary) return type.decode(body);
    const json: unknown = JSON.parse(body.toString('utf8'), rejectWrappingTimes);
    if (typeof json !== 'object' || json === null || Array.isArray(json))
      throw new Error('the body must be a JSON object');
    return type.fromObject(hexIdsToBytes(json as Record<string, unknown>));
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      400,
      binary ? 'malformed_protobuf' : 'malformed_json',
      `the body is not an OTLP ${messageName}`,
      [{ path: '(body)', message: (err as Error).message }],
    );
  }
}

const ID_FIELDS = ['traceId', 'spanId', 'parentSpanId'];

/**
 * OTLP/JSON writes trace and span ids as hex, not as the base64 protobuf JSON uses for bytes:
 * turn them into bytes before protobufjs reads the object.
 */
function hexIdsToBytes(json: Record<string, unknown>): Record<string, unknown> {
  const resourceSpans = json.resourceSpans;
  if (!Array.isArray(resourceSpans)) return json;
  for (const rs of resourceSpans as { scopeSpans?: unknown }[]) {
    if (!rs || !Array.isArray(rs.scopeSpans)) continue;
    for (const ss of rs.scopeSpans as { spans?: unknown }[]) {
      if (!ss || !Array.isArray(ss.spans)) continue;
      for (const span of ss.spans as Record<string, unknown>[]) {
        if (!span || typeof span !== 'object') continue;
        for (const f of ID_FIELDS) {
          const v = span[f];
          if (typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v)) span[f] = Buffer.from(v, 'hex');
        }
      }
    }
  }
  return json;
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
