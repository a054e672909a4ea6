import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import type { ServiceProcess } from '@aihub/core/testing';
import { startCollectorProcess } from '../testing/collector-process';
import { SseReader } from '../testing/sse-reader';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

/**
 * Replica B is its own process (`node collector/dist/main.js`), so nothing in memory is shared
 * with replica A: whatever reaches B's stream clients went through PostgreSQL.
 */
describe('streams across replicas in separate processes on one PostgreSQL', () => {
  let storage: TestStorage;
  let a: TestCollector;
  let b: ServiceProcess;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    a = await startTestCollector({ storage }); // migrates before B starts
    b = await startCollectorProcess(storage, TEST_TOKEN);
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await storage.cleanup();
  });

  test('a training item pushed to replica A reaches an SSE client of replica B (process), and one pushed to B reaches A', async () => {
    const url = (base: string) => `${base}/v1/stream/training?run_id=cross-process`;
    const sseB = await SseReader.open(url(b.url), auth);
    const sseA = await SseReader.open(url(a.url), auth);
    expect([sseA.status, sseB.status]).toEqual([200, 200]);
    try {
      const item = (epoch: number) => ({
        run_id: 'cross-process',
        epoch,
        metrics: { train_loss: 2 - epoch / 10, val_loss: 2.5 - epoch / 10 },
      });
      expect((await a.push({ training: [item(1), item(2)] })).status).toBe(202);
      await sseB.waitFor((r) => r.events.length === 2, 15_000, 'A’s items on B');
      expect(sseB.dataOf().map((m) => [m.data.epoch, m.data.train_loss, m.data.val_loss])).toEqual([
        [1, 1.9, 2.4],
        [2, 1.8, 2.3],
      ]);

      // The other way round: B's process pushes, A's in-process client hears it.
      const pushedToB = await fetch(`${b.url}/v1/push`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ training: [item(3)] }),
      });
      expect(pushedToB.status).toBe(202);
      await sseA.waitFor((r) => r.events.length === 3, 15_000, 'all items on A');
      await sseB.waitFor((r) => r.events.length === 3, 15_000, 'all items on B');
      expect(sseA.dataOf().map((m) => m.data.epoch)).toEqual([1, 2, 3]);
      // One event log: the same ids, in the same order, on both replicas.
      expect(sseB.events.map((e) => e.id)).toEqual(sseA.events.map((e) => e.id));

      // Last-Event-ID against the process replica replays from storage what came after it.
      const resumed = await SseReader.open(url(b.url), { ...auth, 'last-event-id': sseA.events[0].id! });
      try {
        await resumed.waitFor((r) => r.events.length === 2, 15_000, 'replay on B');
        expect(resumed.dataOf().map((m) => m.data.epoch)).toEqual([2, 3]);
      } finally {
        resumed.close();
      }
    } finally {
      sseA.close();
      sseB.close();
    }
  });
});
