import { spawn, type ChildProcess } from 'child_process';
import path from 'path';
import type { TestStorage } from '@aihub/core';

/** The built collector (`npm test` builds before jest; run `npx tsc -b tsconfig.build.json` alone). */
export const COLLECTOR_MAIN = path.resolve(__dirname, '../../dist/main.js');

export interface CollectorProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (flush and exit), SIGKILL if still running after 10 s. */
  stop(): Promise<void>;
}

/**
 * `node collector/dist/main.js` as its own process on `storage` (a replica beside others on the
 * same database); resolves once it prints "collector listening on <url>".
 */
export async function startCollectorProcess(
  storage: TestStorage,
  token: string,
  env: Record<string, string> = {},
): Promise<CollectorProcess> {
  const child = spawn(process.execPath, [COLLECTOR_MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      COLLECTOR_PORT: '0',
      AIHUB_TOKENS: token,
      SELF_METRICS_INTERVAL: '0',
      LOG_LEVEL: 'warn',
      DATA_DIR: storage.config.dataDir,
      ...(storage.config.databaseUrl ? { DATABASE_URL: storage.config.databaseUrl } : {}),
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
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
