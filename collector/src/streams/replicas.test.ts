/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import WebSocket from 'ws';
import { createTestStorage, type TestStorage } from '@aihub/core/testing';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';
import { SseReader } from '../testing/sse-reader';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

describe('streams across two collector replicas on one PostgreSQL', () => {
  let storage: TestStorage;
  let a: TestCollector;
  let b: TestCollector;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    a = await startTestCollector({ storage });
    b = await startTestCollector({ storage });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await storage.cleanup();
  });

  test('a push to replica A reaches SSE and WebSocket clients of replica B (and of A)', async () => {
    const sseB = await SseReader.open(`${b.url}/v1/stream/training?run_id=multi`, auth);
    const sseA = await SseReader.open(`${a.url}/v1/stream/training?run_id=multi`, auth);
    const ws = new WebSocket(b.url.replace('http', 'ws') + '/v1/ws', { headers: auth });
    const wsMessages: any[] = [];
    ws.on('message', (d) => wsMessages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ action: 'subscribe', run_id: 'multi' }));
    while (!wsMessages.some((m) => m.message_type === 'subscribed'))
      await new Promise((r) => setTimeout(r, 20));

    const item = (epoch: number) => ({ run_id: 'multi', epoch, metrics: { train_loss: 2 - epoch / 10 } });
    expect((await a.push({ training: [item(1), item(2)] })).status).toBe(202);
    expect((await b.push({ training: [item(3)] })).status).toBe(202);
    await sseB.waitFor((r) => r.events.length === 3, 10_000, 'events on B');
    await sseA.waitFor((r) => r.events.length === 3, 10_000, 'events on A');
    const deadline = Date.now() + 10_000;
    while (wsMessages.filter((m) => m.event === 'metrics_update').length < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sseB.dataOf().map((m) => m.data.train_loss)).toEqual([1.9, 1.8, 1.7]);
    expect(sseA.events.map((e) => e.id)).toEqual(sseB.events.map((e) => e.id));
    expect(wsMessages.filter((m) => m.event === 'metrics_update').map((m) => m.data.epoch)).toEqual([
      1, 2, 3,
    ]);
    expect(wsMessages.filter((m) => m.event === 'run_started')).toHaveLength(1);

    // Last-Event-ID works against the other replica too: storage is the replay log.
    const resumed = await SseReader.open(`${a.url}/v1/stream/training?run_id=multi`, {
      ...auth,
      'last-event-id': sseB.events[0].id!,
    });
    await resumed.waitFor((r) => r.events.length === 2, 10_000, 'replay on A');
    resumed.close();
    sseA.close();
    sseB.close();
    ws.close();
  });
});
