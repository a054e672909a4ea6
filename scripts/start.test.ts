import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';

const START = path.join(__dirname, 'start.js');

function start(dataDir: string): { proc: ChildProcess; output: () => string; running: Promise<void> } {
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    COLLECTOR_PORT: '0',
    ALERTING_PORT: '0',
    LOG_LEVEL: 'warn',
    SELF_METRICS_INTERVAL: '0',
  };
  delete env.AIHUB_TOKENS;
  delete env.DATABASE_URL;
  const proc = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const running = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', () => out.includes('Ctrl-C flushes and stops') && resolve());
    proc.once('exit', (code) => reject(new Error(`start.js exited with ${code}:\n${out}`)));
  });
  return { proc, output: () => out, running };
}

test('npm start runs both services on PGlite, prints URLs, a token and a curl line, and stops cleanly on Ctrl-C', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-start-'));
  const first = start(dataDir);
  try {
    await first.running;
    const out = first.output();
    const collectorUrl = /collector\s+(http:\/\/\S+)/.exec(out)![1];
    const alertingUrl = /alerting\s+(http:\/\/\S+)/.exec(out)![1];
    const token = /token\s+(\S+)/.exec(out)![1];
    expect(out).toContain(`curl -X POST ${collectorUrl}/v1/push`);
    expect(fs.readFileSync(path.join(dataDir, 'token'), 'utf8').trim()).toBe(token);

    const auth = { authorization: `Bearer ${token}` };
    const push = await fetch(`${collectorUrl}/v1/push`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ samples: [{ name: 'queue_depth', value: 17, labels: { queue: 'llm' } }] }),
    });
    expect(push.status).toBe(202);
    const read = (await (
      await fetch(`${collectorUrl}/v1/query_range?name=queue_depth`, { headers: auth })
    ).json()) as {
      series: { points: [number, number][] }[];
    };
    expect(read.series[0].points[0][1]).toBe(17);
    expect((await fetch(`${alertingUrl}/health`)).status).toBe(200);
    expect((await fetch(`${alertingUrl}/v1/rules`)).status).toBe(401);
    expect((await fetch(`${alertingUrl}/v1/rules`, { headers: auth })).status).toBe(200);

    // A second process on the same data directory is refused (PGlite has no lock of its own).
    const second = start(dataDir);
    await expect(second.running).rejects.toThrow(/in use by process/);
  } finally {
    first.proc.kill('SIGINT');
    const code = await new Promise((r) => first.proc.once('exit', r));
    expect(code).toBe(0);
    expect(first.output()).toContain('stopped cleanly');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
