import { spawn, type ChildProcess } from 'child_process';
import path from 'path';

/** The built collector, as `npm start` runs it (npm test builds before jest). */
export const COLLECTOR_BIN = path.resolve(__dirname, '../../../collector/dist/main.js');

export interface CollectorProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** POST /v1/push with the given bearer token; the HTTP status. */
  push(body: unknown): Promise<number>;
}

/**
 * Starts `node collector/dist/main.js` on an ephemeral loopback port (COLLECTOR_PORT=0) and
 * resolves with its URL once it prints "collector listening on <url>".
 */
export async function startCollectorProcess(
  env: Record<string, string>,
  token: string,
): Promise<CollectorProcess> {
  const child = spawn(process.execPath, [COLLECTOR_BIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      COLLECTOR_PORT: '0',
      AIHUB_TOKENS: token,
      SELF_METRICS_INTERVAL: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /collector listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url,
    child,
    output: () => out,
    async push(body) {
      const res = await fetch(`${url}/v1/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
  };
}
