import fs from 'fs';
import os from 'os';
import path from 'path';
import snappy from 'snappy';
import { createTestStorage, encodeWriteRequest, remoteSeries, type TestStorage } from '@aihub/core/testing';
import { startCollectorProcess, type CollectorProcess } from './testing/collector-process';
import { startAlertingProcess, sleep, stopProcess, waitFor } from './testing/process';
import { startHttpReceiver } from './testing/receivers';

/**
 * Remote write → collector process → PostgreSQL → alerting process: an anomaly rule on a
 * node_exporter series (named and labelled as Prometheus sends it) fires a webhook, and so does a
 * threshold rule on it.
 */
const TOKEN = 'rw-anomaly-token';
const MIN = 60_000;
const LABELS = { instance: 'gpu-01:9100', job: 'node' };

async function remoteWrite(url: string, points: [number, number][]): Promise<number> {
  const res = await fetch(`${url}/api/v1/write`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body: snappy.compressSync(encodeWriteRequest([remoteSeries('node_load1', LABELS, points)])),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('anomaly and threshold rules on a remote-written node_exporter series', () => {
  let storage: TestStorage;
  let configDir: string;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerting-rw-'));
  });
  afterAll(async () => {
    fs.rmSync(configDir, { recursive: true, force: true });
    await storage.cleanup();
  });

  test('fires end to end with the series labels Prometheus sent', async () => {
    const rx = await startHttpReceiver();
    const configFile = path.join(configDir, 'alerting.yaml');
    fs.writeFileSync(
      configFile,
      `evaluation_interval: 1s
channels:
  - {name: hook, type: webhook, url: "\${RECEIVER_URL}/alerts", secret: "s"}
routes:
  - {match: {}, channels: [hook], group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
rules:
  - {name: load_anomaly, type: anomaly, metric: node_load1, min_history: 100, history: 1d}
  - {name: load_high, type: threshold, metric: node_load1, aggregation: last, window: 5m, op: ">", threshold: 10, for: 0s}
`,
    );
    const dbEnv = { DATABASE_URL: storage.config.databaseUrl! };
    let collector: CollectorProcess | undefined;
    let alerting: Awaited<ReturnType<typeof startAlertingProcess>> | undefined;
    try {
      collector = await startCollectorProcess(dbEnv, TOKEN);
      // Five calm hours of a 1-minute scrape, seeded noise, as Prometheus would remote-write them.
      const now = Date.now();
      let seed = 11;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const calm: [number, number][] = [];
      for (let i = 300; i >= 1; i--) calm.push([now - i * MIN, 0.8 + rand() * 0.1]);
      for (let i = 0; i < calm.length; i += 100)
        expect(await remoteWrite(collector.url, calm.slice(i, i + 100))).toBe(204);

      alerting = await startAlertingProcess(
        { ...dbEnv, AIHUB_TOKENS: TOKEN, ALERTING_CONFIG: configFile, RECEIVER_URL: rx.url },
        ['serve'],
      );
      await sleep(3000); // a few evaluations on the calm history: nothing is sent
      expect(rx.received).toHaveLength(0);

      expect(await remoteWrite(collector.url, [[Date.now(), 14.5]])).toBe(204);
      // Both rule types see the remote-written series: one webhook each (grouped by alertname).
      await waitFor('the anomaly and threshold webhooks', () => rx.received.length >= 2, 30_000);
      const bodies = rx.received.map((r) => JSON.parse(r.body));
      const byName = (name: string) => bodies.find((b) => b.alerts[0].labels.alertname === name);
      const firing = byName('load_anomaly');
      expect(firing.status).toBe('firing');
      expect(firing.alerts[0].labels).toMatchObject({ alertname: 'load_anomaly', ...LABELS });
      expect(firing.alerts[0].annotations).toMatchObject({ metric: 'node_load1' });
      expect(byName('load_high')).toMatchObject({ status: 'firing' });
      expect(byName('load_high').alerts[0].labels).toMatchObject({ alertname: 'load_high', ...LABELS });
    } finally {
      if (alerting) await stopProcess(alerting.child);
      if (collector) await stopProcess(collector.child);
      await rx.close();
    }
  }, 120_000);
});
