import WebSocket from 'ws';
import { parsePrometheusText } from '@aihub/core/testing';
import { SseReader } from '../testing/sse-reader';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';

const auth = { authorization: `Bearer ${TEST_TOKEN}` };

async function clients(c: TestCollector): Promise<Record<string, number>> {
  const families = parsePrometheusText(await (await c.request('/metrics')).text());
  const out: Record<string, number> = {};
  for (const s of families.get('aihub_stream_clients')?.samples ?? []) out[s.labels.transport] = s.value;
  return out;
}

test('/metrics counts connected stream clients by transport', async () => {
  const c = await startTestCollector({ driver: 'postgres' });
  try {
    expect(await clients(c)).toEqual({ sse: 0, websocket: 0 });
    const sse = await SseReader.open(`${c.url}/v1/stream/training?run_id=m`, auth);
    const ws = new WebSocket(c.url.replace('http', 'ws') + '/v1/ws', { headers: auth });
    await new Promise((r) => ws.once('open', r));
    expect(await clients(c)).toEqual({ sse: 1, websocket: 1 });
    ws.close();
    sse.close();
    for (let i = 0; i < 50; i++) {
      if ((await clients(c)).websocket === 0 && (await clients(c)).sse === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await clients(c)).toEqual({ sse: 0, websocket: 0 });
  } finally {
    await c.stop();
  }
});
