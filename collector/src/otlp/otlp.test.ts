/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporalityPreference,
  OTLPMetricExporter as JsonExporter,
} from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { RpcStatus } from './otlp-proto';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

/** Records a known set of instruments through the real OpenTelemetry SDK and exports once. */
async function recordAndExport(exporter: JsonExporter | ProtoExporter, service: string) {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    readers: [reader],
    resource: resourceFromAttributes({ 'service.name': service }),
  });
  const meter = provider.getMeter('test-scope');
  meter.createGauge('queue.depth').record(17, { queue: 'llm' });
  const requests = meter.createCounter('app.requests');
  requests.add(5, { route: '/chat' });
  requests.add(7, { route: '/chat' });
  meter.createUpDownCounter('app.sessions').add(-3);
  const latency = meter.createHistogram('app.latency', {
    unit: 's',
    advice: { explicitBucketBoundaries: [1, 5] },
  });
  for (const v of [0.2, 3, 7]) latency.record(v, { route: '/chat' });
  await provider.shutdown(); // exports once
}

async function values(c: TestCollector, name: string, labels: Record<string, string>) {
  const q = new URLSearchParams({
    name,
    from: String(Date.now() - 600_000),
    to: String(Date.now() + 60_000),
    ...labels,
  });
  const { body } = await c.get(`/v1/query_range?${q}`);
  return body.series.map((s: any) => ({ labels: s.labels, values: s.points.map((p: number[]) => p[1]) }));
}

describe('OTLP/HTTP metrics receiver', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector();
  });
  afterAll(() => c.stop());

  test.each(['protobuf', 'JSON'])(
    'the OpenTelemetry %s exporter pushes gauges, sums and histograms that read back exactly',
    async (kind) => {
      const service = `svc-${kind}`;
      const Exporter = kind === 'protobuf' ? ProtoExporter : JsonExporter;
      await recordAndExport(new Exporter({ url: `${c.url}/v1/metrics`, headers: auth }), service);
      const res = { resource_service_name: service };
      expect(await values(c, 'queue_depth', res)).toEqual([
        {
          labels: { queue: 'llm', otel_scope_name: 'test-scope', resource_service_name: service },
          values: [17],
        },
      ]);
      expect(await values(c, 'app_requests_total', res)).toEqual([
        { labels: expect.objectContaining({ route: '/chat' }), values: [12] },
      ]);
      expect((await values(c, 'app_sessions', res))[0].values).toEqual([-3]);
      expect((await values(c, 'app_latency_count', res))[0].values).toEqual([3]);
      expect((await values(c, 'app_latency_sum', res))[0].values[0]).toBeCloseTo(10.2, 10);
      expect((await values(c, 'app_latency_min', res))[0].values).toEqual([0.2]);
      expect((await values(c, 'app_latency_max', res))[0].values).toEqual([7]);
      const buckets = await values(c, 'app_latency_bucket', res);
      expect(Object.fromEntries(buckets.map((b: any) => [b.labels.le, b.values[0]]))).toEqual({
        '1': 1,
        '5': 2,
        '+Inf': 3,
      });
    },
  );

  test('delta temporality is stored as increments labelled otel_temporality="delta"', async () => {
    const exporter = new JsonExporter({
      url: `${c.url}/v1/metrics`,
      headers: auth,
      temporalityPreference: AggregationTemporalityPreference.DELTA,
    });
    await recordAndExport(exporter, 'svc-delta');
    expect(await values(c, 'app_requests_total', { resource_service_name: 'svc-delta' })).toEqual([
      { labels: expect.objectContaining({ otel_temporality: 'delta' }), values: [12] },
    ]);
  });

  test('hand-written OTLP JSON: int values as strings, summaries, and a bad point reported as partial success', async () => {
    const nowNs = `${Date.now()}000000`;
    const futureNs = `${Date.now() + 3_600_000}000000`;
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'host.name', value: { stringValue: 'gpu-01' } }] },
          scopeMetrics: [
            {
              scope: { name: 'manual' },
              metrics: [
                { name: 'jobs.queued', gauge: { dataPoints: [{ asInt: '42', timeUnixNano: nowNs }] } },
                { name: 'jobs.late', gauge: { dataPoints: [{ asDouble: 1, timeUnixNano: futureNs }] } },
                {
                  name: 'rpc.latency',
                  summary: {
                    dataPoints: [
                      {
                        timeUnixNano: nowNs,
                        count: '4',
                        sum: 2.5,
                        quantileValues: [
                          { quantile: 0.5, value: 0.4 },
                          { quantile: 0.99, value: 1.2 },
                        ],
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const res = await fetch(`${c.url}/v1/metrics`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as any;
    expect(answer.partialSuccess.rejectedDataPoints).toBe(1);
    expect(answer.partialSuccess.errorMessage).toMatch(/jobs_late: timestamp too far in the future/);
    expect(await values(c, 'jobs_queued', { resource_host_name: 'gpu-01' })).toEqual([
      { labels: { resource_host_name: 'gpu-01', otel_scope_name: 'manual' }, values: [42] },
    ]);
    const q = await values(c, 'rpc_latency', { resource_host_name: 'gpu-01' });
    expect(Object.fromEntries(q.map((s: any) => [s.labels.quantile, s.values[0]]))).toEqual({
      '0.5': 0.4,
      '0.99': 1.2,
    });
    expect((await values(c, 'rpc_latency_count', {}))[0].values).toEqual([4]);
  });

  test('bad requests: 415 for other media types, 400 with a google.rpc.Status for broken protobuf, 401 without token', async () => {
    const plain = await fetch(`${c.url}/v1/metrics`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as any).error.code).toBe('unsupported_media_type');
    const broken = await fetch(`${c.url}/v1/metrics`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-protobuf' },
      body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]),
    });
    expect(broken.status).toBe(400);
    const status = RpcStatus.decode(Buffer.from(await broken.arrayBuffer())) as unknown as {
      code: number;
      message: string;
    };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/malformed_protobuf/);
    const badJson = await fetch(`${c.url}/v1/metrics`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '[1,2',
    });
    expect(badJson.status).toBe(400);
    const anon = await fetch(`${c.url}/v1/metrics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(anon.status).toBe(401);
  });
});
