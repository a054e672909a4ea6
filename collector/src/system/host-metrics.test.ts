import os from 'os';
import { HostSampler } from './host-metrics';
import { startTestCollector } from '../testing/test-collector';

test('a host sample has usage percentages in range and cumulative network bytes', () => {
  const sampler = new HostSampler(os.tmpdir());
  // Burn a little CPU so the delta between two samples is not empty.
  const until = Date.now() + 50;
  while (Date.now() < until);
  const s = sampler.sample();
  expect(s.host).toBe(os.hostname());
  expect(s.cpu_usage_percent).toBeGreaterThanOrEqual(0);
  expect(s.cpu_usage_percent).toBeLessThanOrEqual(100);
  expect(s.memory_usage_percent).toBeGreaterThan(0);
  expect(s.memory_usage_percent).toBeLessThanOrEqual(100);
  expect(s.disk_usage_percent).toBeGreaterThan(0);
  expect(s.load_avg_1m).toBeGreaterThanOrEqual(0);
  expect(s.network_rx_bytes).toBeGreaterThanOrEqual(0);
});

test("the collector stores its own host's metrics as system_* series on its interval", async () => {
  const c = await startTestCollector({ driver: 'postgres', env: { SELF_METRICS_INTERVAL: '200ms' } });
  try {
    let names: string[] = [];
    for (let i = 0; i < 50 && !names.includes('system_cpu_usage_percent'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await c.get(`/v1/series?host=${encodeURIComponent(os.hostname())}`);
      names = (r.body.series as { name: string }[]).map((s) => s.name);
    }
    expect(names).toEqual(
      expect.arrayContaining([
        'system_cpu_usage_percent',
        'system_memory_usage_percent',
        'system_disk_usage_percent',
        'system_load_avg_1m',
        'system_network_rx_bytes',
        'system_network_tx_bytes',
      ]),
    );
  } finally {
    await c.stop();
  }
});
