import type { ChildProcess } from 'child_process';
import { ALERTING_CLI, startServiceProcess, type ServiceProcess } from '@aihub/core/testing';

export const ALERTING_BIN = ALERTING_CLI;

/** Starts the built `aihub-alerting` as a real process; resolves with its URL once it listens. */
export function startAlertingProcess(
  env: Record<string, string>,
  args: string[] = [],
): Promise<ServiceProcess> {
  return startServiceProcess(ALERTING_CLI, { ALERTING_PORT: '0', ...env }, args);
}

export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** SIGTERM (the services flush and exit), then SIGKILL if the process is still there after graceMs. */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
