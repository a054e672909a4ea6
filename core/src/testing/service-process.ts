import { spawn, type ChildProcess } from 'child_process';
import path from 'path';

/** The built entry points that `npm test` builds before jest (or `npx tsc -b tsconfig.build.json`). */
export const COLLECTOR_MAIN = path.resolve(__dirname, '../../../collector/dist/main.js');
export const ALERTING_CLI = path.resolve(__dirname, '../../../alerting/dist/cli.js');

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (the services flush and exit), then SIGKILL if still running after graceMs. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
}

/**
 * Runs a built service as its own process (env on top of PATH only, so the parent's settings do
 * not leak in) and resolves with its URL once it prints `<name> listening on <url>`.
 */
export async function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${path.basename(entry)} did not start:\n${out}`)),
      60_000,
    );
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(entry)} exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const signal = (sig: NodeJS.Signals, graceMs?: number) =>
    new Promise<void>((resolve) => {
      if (exited()) return resolve();
      const timer = graceMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(sig);
    });
  return {
    url,
    child,
    output: () => out,
    stop: (graceMs = 10_000) => signal('SIGTERM', graceMs),
    kill: () => signal('SIGKILL'),
  };
}
