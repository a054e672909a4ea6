import { createTestStorage, type ServiceProcess, type TestStorage } from '@aihub/core/testing';
import { startCollectorProcess } from '../testing/collector-process';
import {
  startNodeExporter,
  startRemoteWritingPrometheus,
  type ExporterProcess,
  type PrometheusProcess,
} from '../testing/prometheus-remote-write';

const TOKEN = 'rw-token';
const COMPARED = ['up', 'node_load1', 'node_memory_MemAvailable_bytes', 'scrape_samples_scraped'];

type Points = Record<string, [number, number][]>; // canonical labels → [ms, value]

const key = (labels: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));

/** Prometheus' own raw samples of `metric` in (from, to], from its HTTP API. */
async function fromPrometheus(prom: PrometheusProcess, metric: string, from: number, to: number) {
  const seconds = Math.ceil((to - from) / 1000);
  const data = await prom.api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
    'query',
    { query: `${metric}[${seconds}s]`, time: String(to / 1000) },
  );
  const out: Points = {};
  for (const r of data.result) {
    const labels = { ...r.metric };
    delete labels.__name__;
    out[key(labels)] = r.values
      .map(([t, v]): [number, number] => [Math.round(t * 1000), Number(v)])
      .filter(([t]) => t > from);
  }
  return out;
}

async function fromCollector(url: string, metric: string, from: number, to: number) {
  const q = new URLSearchParams({ name: metric, from: String(from + 1), to: String(to) });
  const res = await fetch(`${url}/v1/query_range?${q}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const body = (await res.json()) as {
    series: { labels: Record<string, string>; points: [number, number][] }[];
  };
  const out: Points = {};
  for (const s of body.series) out[key(s.labels)] = s.points;
  return out;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('real Prometheus scraping real node_exporter, remote-writing to the collector (PostgreSQL)', () => {
  let storage: TestStorage;
  let exporter: ExporterProcess;
  let prom: PrometheusProcess | undefined;
  let collector: ServiceProcess | undefined;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    exporter = await startNodeExporter();
  });
  afterAll(async () => {
    await prom?.stop();
    await collector?.stop();
    await exporter.stop();
    await storage.cleanup();
  });

  test('the series arrive with their labels and Prometheus values; a SIGKILL of the collector loses nothing', async () => {
    collector = await startCollectorProcess(storage, TOKEN);
    const port = new URL(collector.url).port;
    const t0 = Date.now();
    prom = await startRemoteWritingPrometheus({
      targets: [exporter.address],
      writeUrl: `${collector.url}/api/v1/write`,
      token: TOKEN,
    });
    const first = collector.url;
    await waitFor('a few remote-written points', async () => {
      const got = await fromCollector(first, 'node_load1', t0 - 1000, Date.now());
      const pts = Object.values(got)[0];
      return pts && pts.length >= 3 ? true : undefined;
    });

    // Labels: everything but __name__, exactly as Prometheus has them.
    const load = await fromCollector(first, 'node_load1', t0 - 1000, Date.now());
    expect(Object.keys(load).map((k) => JSON.parse(k))).toEqual([
      { instance: exporter.address, job: 'node' },
    ]);

    // Crash the collector while Prometheus keeps scraping and writing; it retries until we are back.
    await collector.kill();
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 4000));
    collector = await startCollectorProcess(storage, TOKEN, { COLLECTOR_PORT: port });
    const restartedAt = Date.now();
    expect(restartedAt - killedAt).toBeGreaterThan(3000);
    const url = collector.url;

    // Everything Prometheus scraped up to a second after the restart ends up stored, value for value.
    const cutoff = restartedAt + 1000;
    await new Promise((r) => setTimeout(r, Math.max(0, cutoff - Date.now())));
    const mismatch: string[] = [];
    await waitFor(
      'every sample Prometheus scraped to arrive',
      async () => {
        mismatch.length = 0;
        for (const metric of COMPARED) {
          const expected = await fromPrometheus(prom!, metric, t0 - 1000, cutoff);
          const got = await fromCollector(url, metric, t0 - 1000, cutoff);
          if (JSON.stringify(got) !== JSON.stringify(expected)) mismatch.push(metric);
        }
        return mismatch.length === 0 ? true : undefined;
      },
      45_000,
    ).catch(() => undefined);
    expect(mismatch).toEqual([]);
    for (const metric of COMPARED) {
      const expected = await fromPrometheus(prom!, metric, t0 - 1000, cutoff);
      expect(await fromCollector(url, metric, t0 - 1000, cutoff)).toEqual(expected);
      // Points on both sides of the outage: the gap was filled by Prometheus' retries.
      const pts = Object.values(expected)[0];
      expect(pts.some(([t]) => t < killedAt)).toBe(true);
      expect(pts.some(([t]) => t > killedAt + 1000 && t < restartedAt)).toBe(true);
    }
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
  }, 180_000);
});
