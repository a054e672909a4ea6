import type { IncomingMessage } from 'http';
import { Router } from 'express';
import snappy from 'snappy';
import type { Counter } from '@opentelemetry/api';
import type { IngestLimits, PushPayload } from '@aihub/core';
import { readBody } from '../http/body';
import { ApiError, sendError } from '../http/errors';
import type { FastAnswer, FastRoute } from '../http/fast-lane';
import type { IngestService } from '../ingest/ingest-service';
import type { CollectorTelemetry } from '../telemetry/telemetry';
import { decodeWriteRequest, ProtobufError, type RemoteSeries } from './write-request';
import { plainSeriesColumns, PlainSeriesSeen } from './series-columns';

const WRITE_PATH = '/api/v1/write';

/**
 * Prometheus remote write 1.0 at `POST /api/v1/write`: a snappy-compressed protobuf
 * WriteRequest whose series become samples (`__name__` → name, every other label kept) through
 * the same validation and durable write as `samples` in /v1/push. All or nothing: 204 after
 * COMMIT; 400 naming the bad series; 413 over the body limit; 429 + Retry-After when the write
 * queue is full. Prometheus retries 5xx and 429 and drops a batch on any other 4xx, so only
 * errors a retry cannot fix are 4xx.
 */
export function createRemoteWriteEndpoint(deps: {
  ingest: IngestService;
  telemetry: CollectorTelemetry;
  limits: IngestLimits;
  /** Writes being read and decoded at once; beyond this, 429 (bounds memory under many shards). */
  maxInflight: number;
}): { router: Router; route: FastRoute } {
  let inflight = 0;
  const seen = new PlainSeriesSeen();
  const skipped: Counter = deps.telemetry.meter.createCounter('aihub.remote_write.samples_skipped', {
    description: 'Remote-write samples not stored: NaN (Prometheus stale markers) and infinities',
  });
  const countSkipped = (nonFinite: { nan: number; infinite: number }) => {
    if (nonFinite.nan) skipped.add(nonFinite.nan, { reason: 'nan' });
    if (nonFinite.infinite) skipped.add(nonFinite.infinite, { reason: 'infinite' });
  };
  const noContent = (res: FastAnswer) => {
    res.status(204);
    res.end();
  };
  async function write(req: IncomingMessage, res: FastAnswer): Promise<void> {
    inflight++;
    try {
      if (deps.ingest.overloaded || inflight > deps.maxInflight) {
        deps.telemetry.countRejected('overloaded');
        req.resume();
        throw new ApiError(429, 'overloaded', 'the write queue is full; retry later', [], {
          'Retry-After': '1',
        });
      }
      checkHeaders(req.headers['content-type'], req.headers['content-encoding']);
      const compressed = await readBody(req, deps.limits.maxBodyBytes, { decode: false });
      let series: RemoteSeries[];
      try {
        series = decode(compressed, deps.limits.maxBodyBytes);
      } catch (err) {
        if (err instanceof ApiError && err.status === 400) deps.telemetry.countRejected('invalid');
        throw err;
      }
      const plain = plainSeriesColumns(series, deps.limits, deps.ingest.now(), seen);
      if (plain) {
        countSkipped(plain.nonFinite);
        if (plain.columns.count > 0)
          await deps.ingest.ingestColumns(plain.columns, { source: 'remote_write' });
        return noContent(res);
      }
      let converted: Converted;
      try {
        converted = toSamples(series);
      } catch (err) {
        deps.telemetry.countRejected('invalid');
        throw err;
      }
      const { payload, origin, nonFinite } = converted;
      countSkipped(nonFinite);
      if (payload.samples.length > 0) {
        const valid = validate(deps.ingest, payload, origin, series);
        await deps.ingest.ingestValid(valid, { source: 'remote_write' });
      }
      noContent(res);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 413) deps.telemetry.countRejected('too_large');
      if (err.status === 415) deps.telemetry.countRejected('unsupported');
      sendError(res, err);
    } finally {
      inflight--;
    }
  }
  const router = Router();
  router.post(WRITE_PATH, (req, res) => write(req, res));
  return { router, route: { method: 'POST', path: WRITE_PATH, handle: write } };
}

function checkHeaders(type: string | undefined, encoding: string | undefined): void {
  const [media, ...params] = (type ?? '').split(';').map((p) => p.trim().toLowerCase());
  // Remote write 2.0 names its message in a proto= parameter; a 415 makes the sender fall back to 1.0.
  const proto = params.find((p) => p.startsWith('proto='))?.slice('proto='.length);
  if (media !== 'application/x-protobuf' || (proto !== undefined && proto !== 'prometheus.writerequest')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'Content-Type must be application/x-protobuf (remote write 1.0, prometheus.WriteRequest)',
      [{ path: 'Content-Type', message: `got "${type || '(none)'}"` }],
    );
  }
  if ((encoding ?? '').trim().toLowerCase() !== 'snappy') {
    throw new ApiError(415, 'unsupported_encoding', 'Content-Encoding must be snappy (remote write 1.0)', [
      { path: 'Content-Encoding', message: `got "${encoding ?? '(none)'}"` },
    ]);
  }
}

function decode(compressed: Buffer, maxBytes: number): RemoteSeries[] {
  // A snappy block starts with its uncompressed length: refuse a bomb before inflating it.
  const size = uncompressedLength(compressed);
  if (size === null)
    throw badBody('bad_encoding', 'the body is not snappy-compressed', 'no valid snappy header');
  if (size > maxBytes) {
    throw new ApiError(413, 'body_too_large', `the body exceeds ${maxBytes} bytes`, [
      { path: '(body)', message: `${size} bytes after decompression; the limit is ${maxBytes}` },
    ]);
  }
  let raw: Buffer;
  try {
    raw = snappy.uncompressSync(compressed) as Buffer;
  } catch (err) {
    throw badBody('bad_encoding', 'the body is not valid snappy (block format)', (err as Error).message);
  }
  try {
    return decodeWriteRequest(raw);
  } catch (err) {
    if (!(err instanceof ProtobufError)) throw err;
    throw badBody('malformed_protobuf', 'the body is not a Prometheus WriteRequest', err.message);
  }
}

function badBody(code: string, message: string, detail: string): ApiError {
  return new ApiError(400, code, message, [{ path: '(body)', message: detail }]);
}

/** The varint that opens a snappy block, or null when it is not one. */
function uncompressedLength(buf: Buffer): number | null {
  let result = 0;
  let factor = 1;
  for (let i = 0; i < 5 && i < buf.length; i++) {
    result += (buf[i] & 0x7f) * factor;
    if (buf[i] < 0x80) return result;
    factor *= 128;
  }
  return null;
}

interface Converted {
  payload: { samples: { name: string; labels: Record<string, string>; value: number; ts: number }[] };
  /** Per sample: the index of the series it came from. */
  origin: number[];
  nonFinite: { nan: number; infinite: number };
}

/**
 * Series → push samples. Empty label values mean "no label" in Prometheus and are dropped;
 * NaN (stale markers) and infinities cannot be stored and are skipped and counted. Native
 * histograms are stored like OTLP exponential histograms: `<name>_count` and `<name>_sum`.
 */
export function toSamples(series: RemoteSeries[]): Converted {
  const out: Converted = { payload: { samples: [] }, origin: [], nonFinite: { nan: 0, infinite: 0 } };
  series.forEach((s, index) => {
    let name: string | undefined;
    const labels: Record<string, string> = {};
    const seen = new Set<string>();
    for (const l of s.labels) {
      if (seen.has(l.name)) throw seriesError(index, s, `labels.${l.name}`, 'duplicate label name');
      seen.add(l.name);
      if (l.name === '__name__') name = l.value;
      else if (l.value !== '') labels[l.name] = l.value;
    }
    if (!name) throw seriesError(index, s, 'labels.__name__', 'every series needs a __name__ label');
    const push = (n: string, value: number, ts: number) => {
      if (Number.isNaN(value)) return void out.nonFinite.nan++;
      if (!Number.isFinite(value)) return void out.nonFinite.infinite++;
      out.payload.samples.push({ name: n, labels, value, ts });
      out.origin.push(index);
    };
    for (const p of s.samples) push(name, p.value, p.timestampMs);
    for (const h of s.histograms) {
      push(`${name}_count`, h.count, h.timestampMs);
      push(`${name}_sum`, h.sum, h.timestampMs);
    }
  });
  return out;
}

/** The push schema's validation, with its paths turned back into the request's series. */
function validate(
  ingest: IngestService,
  payload: Converted['payload'],
  origin: number[],
  series: RemoteSeries[],
): PushPayload {
  try {
    return ingest.validate(payload);
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'invalid_payload') throw err;
    const details = err.details.map((d) => {
      const m = /^samples\[(\d+)\]\.?(.*)$/.exec(d.path);
      if (!m) return d;
      const index = origin[Number(m[1])];
      const field = m[2] === 'name' ? 'labels.__name__' : m[2] === 'ts' ? 'samples.timestamp' : m[2];
      return {
        path: `timeseries[${index}].${field}`,
        message: `${d.message} (series ${describe(series[index])})`,
      };
    });
    const first = details[0];
    throw new ApiError(
      400,
      'invalid_series',
      first ? `invalid series in the write request: ${first.path}: ${first.message}` : err.message,
      details,
    );
  }
}

function seriesError(index: number, s: RemoteSeries, field: string, message: string): ApiError {
  const path = `timeseries[${index}].${field}`;
  const full = `${message} (series ${describe(s)})`;
  return new ApiError(400, 'invalid_series', `invalid series in the write request: ${path}: ${full}`, [
    { path, message: full },
  ]);
}

/** `name{job="x",…}` for error messages, cut short. */
function describe(s: RemoteSeries): string {
  const name = s.labels.find((l) => l.name === '__name__')?.value ?? '';
  const rest = s.labels
    .filter((l) => l.name !== '__name__')
    .map((l) => `${l.name}=${JSON.stringify(l.value)}`)
    .join(',');
  const text = `${name}{${rest}}`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
