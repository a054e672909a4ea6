import { openDatabase } from '@aihub/core';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '@aihub/core/testing';
import { startCollectorProcess } from './testing/collector-process';

const TOKEN = 'durability-token';
const startProcess = (storage: TestStorage) => startCollectorProcess(storage, TOKEN);

const push = (url: string, body: unknown, key?: string) =>
  fetch(url + '/v1/push', {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
  });

describe.each(TEST_DRIVERS)('durability on %s', (driver) => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage(driver);
  });
  afterAll(() => storage.cleanup());

  test('every acknowledged sample survives SIGKILL right after the acks; a retried key is stored once', async () => {
    const first = await startProcess(storage);
    const T = Date.now() - 60_000;
    const batches = 40;
    const perBatch = 250;
    const acked: number[] = [];
    // Kill the process as soon as the last answer arrives, while nothing else is pending.
    const results = await Promise.all(
      Array.from({ length: batches }, async (_, b) => {
        const body = {
          samples: Array.from({ length: perBatch }, (_, i) => ({
            name: 'durable_test',
            value: b * perBatch + i,
            labels: { batch: String(b % 8) },
            ts: T + b * perBatch + i,
          })),
          llm: [{ provider: 'openai', model: 'gpt-4o', input_tokens: b, output_tokens: 1, ts: T + b }],
        };
        const res = await push(first.url, body, `batch-${b}`);
        if (res.status === 202) acked.push(b);
        return res.status;
      }),
    );
    await first.kill();
    expect(results.every((s) => s === 202)).toBe(true);
    expect(acked).toHaveLength(batches);

    const second = await startProcess(storage);
    try {
      // A client that never saw its answer retries with the same key: stored once, same answer.
      const retry = await push(
        second.url,
        { samples: [{ name: 'durable_test', value: -1, labels: { batch: '0' }, ts: T }] },
        'batch-0',
      );
      expect(retry.status).toBe(202);
      expect(await retry.json()).toEqual({ accepted: perBatch + 1 });
    } finally {
      await second.stop();
    }

    const db = await openDatabase(storage.config);
    try {
      const values = await db.query<{ v: number }>(
        `SELECT m.value AS v FROM metric_samples m JOIN metric_series s ON s.id = m.series_id
         WHERE s.name = 'durable_test' ORDER BY m.value`,
      );
      const expected = acked
        .flatMap((b) => Array.from({ length: perBatch }, (_, i) => b * perBatch + i))
        .sort((a, b) => a - b);
      expect(values.map((r) => Number(r.v))).toEqual(expected);
      const llm = await db.query<{ n: string }>('SELECT count(*) AS n FROM llm_requests');
      expect(Number(llm[0].n)).toBe(batches);
    } finally {
      await db.close();
    }
  });

  test('SIGTERM flushes what was accepted and exits 0', async () => {
    const p = await startProcess(storage);
    const res = await push(p.url, { samples: [{ name: 'term_test', value: 1 }] });
    expect(res.status).toBe(202);
    await p.stop();
    expect(p.child.exitCode).toBe(0);
  });
});
