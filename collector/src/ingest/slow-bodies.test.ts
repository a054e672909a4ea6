import net from 'net';
import { startTestCollector, TEST_TOKEN, type TestCollector } from '../testing/test-collector';

/** Opens a push whose body trickles in: headers, then one byte per `trickle()` call. */
function slowPush(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  const closed = new Promise<string>((resolve) => {
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(answer));
  });
  socket.write(
    'POST /v1/push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Authorization: Bearer ${TEST_TOKEN}\r\nContent-Length: 100000\r\n\r\n{`,
  );
  return { trickle: () => socket.write(' '), closed };
}

/** Issue 11, finding 4: slow clients cannot starve normal pushes, and are cut off when idle. */
describe('slow bodies', () => {
  let c: TestCollector;
  beforeAll(async () => {
    // The default in-flight budget (64 full-size pushes): the 70 slow bodies exceeded it.
    c = await startTestCollector({ env: { BODY_IDLE_TIMEOUT: '1500ms' } });
  });
  afterAll(() => c.stop());

  test('normal pushes keep their 202 while 70 slow bodies trickle in; idle ones get 408 and are closed', async () => {
    const { port } = new URL(c.url);
    const slow = Array.from({ length: 70 }, () => slowPush(Number(port)));
    const trickle = setInterval(() => slow.forEach((s) => s.trickle()), 400);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push((await c.push({ samples: [{ name: 'normal_push', value: i }] })).status);
      }
      expect(statuses).toEqual(Array(20).fill(202));
    } finally {
      clearInterval(trickle);
    }
    // Once they stop sending, the body idle timeout answers each 408 and closes it.
    const answers = await Promise.all(slow.map((s) => s.closed));
    expect(answers.every((a) => a.startsWith('HTTP/1.1 408'))).toBe(true);
    expect((await c.push({ samples: [{ name: 'after_slow', value: 1 }] })).status).toBe(202);
    const scrape = await (await c.request('/metrics')).text();
    expect(scrape).toMatch(/aihub_ingest_rejected_total\{[^}]*reason="body_timeout"[^}]*\} 70/);
  });
});
