import type { IngestLimits } from '@aihub/core';
import { LABEL_NAME, LABEL_SET_MESSAGE, labelProblem, labelSetTooLarge, METRIC_NAME } from '@aihub/core';
import {
  toNumber,
  type HistogramPoint,
  type NumberPoint,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpRequest,
} from './otlp-proto';

export interface OtlpSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts: number;
}

export interface Conversion {
  samples: OtlpSample[];
  rejected: number;
  errors: string[];
}

/** Resource attributes become labels under this prefix: service.name → resource_service_name. */
export const RESOURCE_LABEL_PREFIX = 'resource_';
const DELTA = 1;
// Decoded messages keep proto3 defaults on the prototype: only own properties were sent.
const has = (o: object, key: string) =>
  Object.prototype.hasOwnProperty.call(o, key) && (o as Record<string, unknown>)[key] !== null;
const NO_RECORDED_VALUE = 1;

/** `http.server.duration` → `http_server_duration`; a leading digit gets an underscore. */
export function sanitizeName(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[a-zA-Z_:]/.test(s) ? s : `_${s}`;
}

function sanitizeLabel(name: string): string {
  const s = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(s) ? s : `_${s}`;
}

function anyValueText(v: OtlpAnyValue | null | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return String(v.boolValue);
  if (v.intValue !== undefined && v.intValue !== null) return String(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return String(v.doubleValue);
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(anyValueText));
  if (v.kvlistValue)
    return JSON.stringify(
      Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyValueText(kv.value)])),
    );
  if (v.bytesValue) return Buffer.from(v.bytesValue).toString('base64');
  return '';
}

function attributes(list: OtlpKeyValue[] | undefined, prefix = ''): Record<string, string> {
  // Null prototype: an attribute named __proto__ stays a key (and is then rejected by name),
  // instead of vanishing and merging its point into another series.
  const out: Record<string, string> = Object.create(null);
  for (const kv of list ?? []) out[sanitizeLabel(prefix + kv.key)] = anyValueText(kv.value);
  return out;
}

/**
 * OTLP metrics → stored samples (docs: "OTLP"): gauges as is; sums as `<name>` (monotonic:
 * `<name>_total`), delta sums and histograms labelled otel_temporality="delta"; histograms as
 * `<name>_count`, `_sum`, `_min`, `_max` and cumulative `_bucket{le}` like Prometheus;
 * exponential histograms as count/sum/min/max; summaries as `<name>{quantile}`, `_count`, `_sum`.
 * Points that cannot be stored (bad value, too many labels, …) are counted as rejected.
 */
export function otlpToSamples(req: OtlpRequest, limits: IngestLimits, now: number): Conversion {
  const samples: OtlpSample[] = [];
  const errors: string[] = [];
  let rejected = 0;
  const reject = (msg: string) => {
    rejected++;
    if (errors.length < 5) errors.push(msg);
  };
  const emit = (name: string, labels: Record<string, string>, value: number, ts: number) => {
    const problem = checkSample(name, labels, value, ts, limits, now);
    if (problem) return reject(`${name}: ${problem}`);
    samples.push({ name, labels, value, ts });
  };

  for (const rm of req.resourceMetrics ?? []) {
    const resource = attributes(rm.resource?.attributes ?? undefined, RESOURCE_LABEL_PREFIX);
    for (const sm of rm.scopeMetrics ?? []) {
      const scope: Record<string, string> = sm.scope?.name ? { otel_scope_name: sm.scope.name } : {};
      for (const m of sm.metrics ?? []) {
        const base = sanitizeName(m.name ?? '');
        const labelsOf = (
          p: { attributes?: OtlpKeyValue[] },
          temporality?: number,
        ): Record<string, string> => ({
          ...resource,
          ...scope,
          ...(temporality === DELTA ? { otel_temporality: 'delta' } : {}),
          ...attributes(p.attributes),
        });
        const tsOf = (p: { timeUnixNano?: unknown }) => {
          const ns = toNumber(p.timeUnixNano as never);
          return ns > 0 ? Math.round(ns / 1e6) : now;
        };
        const numberValue = (p: NumberPoint) =>
          has(p, 'asDouble') ? Number(p.asDouble) : has(p, 'asInt') ? toNumber(p.asInt) : NaN;
        if (m.gauge) {
          for (const p of m.gauge.dataPoints ?? []) {
            if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
            emit(base, labelsOf(p), numberValue(p), tsOf(p));
          }
        } else if (m.sum) {
          const name = m.sum.isMonotonic && !base.endsWith('_total') ? `${base}_total` : base;
          for (const p of m.sum.dataPoints ?? []) {
            if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
            emit(name, labelsOf(p, m.sum.aggregationTemporality), numberValue(p), tsOf(p));
          }
        } else if (m.histogram || m.exponentialHistogram) {
          const h = (m.histogram ?? m.exponentialHistogram)!;
          for (const p of (h.dataPoints ?? []) as HistogramPoint[]) {
            if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
            const labels = labelsOf(p, h.aggregationTemporality);
            const ts = tsOf(p);
            emit(`${base}_count`, labels, toNumber(p.count), ts);
            if (has(p, 'sum')) emit(`${base}_sum`, labels, Number(p.sum), ts);
            if (has(p, 'min')) emit(`${base}_min`, labels, Number(p.min), ts);
            if (has(p, 'max')) emit(`${base}_max`, labels, Number(p.max), ts);
            if (m.histogram) {
              const bounds = p.explicitBounds ?? [];
              const counts = (p.bucketCounts ?? []).map(toNumber);
              let cumulative = 0;
              for (let i = 0; i < counts.length; i++) {
                cumulative += counts[i];
                const le = i < bounds.length ? String(bounds[i]) : '+Inf';
                emit(`${base}_bucket`, { ...labels, le }, cumulative, ts);
              }
            }
          }
        } else if (m.summary) {
          for (const p of m.summary.dataPoints ?? []) {
            if ((p.flags ?? 0) & NO_RECORDED_VALUE) continue;
            const labels = labelsOf(p);
            const ts = tsOf(p);
            emit(`${base}_count`, labels, toNumber(p.count), ts);
            if (typeof p.sum === 'number') emit(`${base}_sum`, labels, p.sum, ts);
            for (const q of p.quantileValues ?? [])
              emit(base, { ...labels, quantile: String(q.quantile ?? 0) }, q.value ?? NaN, ts);
          }
        } else {
          reject(`${m.name}: no data (gauge, sum, histogram, exponential histogram or summary)`);
        }
      }
    }
  }
  return { samples, rejected, errors };
}

/** The push schema's rules for one sample, checked here so one bad point does not sink the request. */
function checkSample(
  name: string,
  labels: Record<string, string>,
  value: number,
  ts: number,
  limits: IngestLimits,
  now: number,
): string | null {
  if (!name || name.length > limits.maxNameLength || !METRIC_NAME.test(name)) return 'invalid metric name';
  if (!Number.isFinite(value)) return 'value is not a finite number';
  const keys = Object.keys(labels);
  if (keys.length > limits.maxLabels)
    return `more than ${limits.maxLabels} labels (resource attributes count too)`;
  for (const k of keys) {
    // The push schema's own label rule (core), so OTLP and push agree on every name and value.
    const problem = labelProblem(k, labels[k], limits, LABEL_NAME);
    if (problem) return `label ${k.slice(0, 40)}: ${problem}`;
  }
  if (labelSetTooLarge(labels)) return LABEL_SET_MESSAGE;
  if (ts > now + limits.maxFutureMs) return 'timestamp too far in the future';
  return null;
}
