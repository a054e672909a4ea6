import {
  COLLECTOR_MAIN,
  startServiceProcess,
  type ServiceProcess,
  type TestStorage,
} from '@aihub/core/testing';

/**
 * `node collector/dist/main.js` as its own process on `storage` (a replica beside others on the
 * same database, or the service a durability test kills).
 */
export function startCollectorProcess(
  storage: TestStorage,
  token: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  return startServiceProcess(COLLECTOR_MAIN, {
    COLLECTOR_PORT: '0',
    AIHUB_TOKENS: token,
    SELF_METRICS_INTERVAL: '0',
    ...storage.env,
    ...env,
  });
}
