import vm from 'vm';
import v8 from 'v8';
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { observeGcDuration } from './gc-duration';

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

/** GC counts by v8js.gc.type, as v8js.gc.duration reports them. */
async function gcCounts(reader: TestReader): Promise<Record<string, number>> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === 'v8js.gc.duration') as HistogramMetricData | undefined;
  const out: Record<string, number> = {};
  for (const p of metric?.dataPoints ?? []) out[String(p.attributes['v8js.gc.type'])] = p.value.count;
  return out;
}

const untilObserved = () => new Promise((r) => setTimeout(r, 50));

test('v8js.gc.duration counts the minor and major collections of this process, and stops when told', async () => {
  const reader = new TestReader();
  const provider = new MeterProvider({ readers: [reader] });
  const stop = observeGcDuration(provider.getMeter('test'));
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  try {
    let garbage: unknown[] = [];
    for (let i = 0; i < 2e6; i++) garbage.push({ i }); // enough young objects for scavenges
    garbage = [];
    gc(); // a full mark-compact
    await untilObserved();
    const counts = await gcCounts(reader);
    expect(counts.minor).toBeGreaterThan(0);
    expect(counts.major).toBeGreaterThan(0);

    stop();
    gc();
    await untilObserved();
    expect((await gcCounts(reader)).major).toBe(counts.major);
  } finally {
    stop();
    await provider.shutdown();
  }
});
