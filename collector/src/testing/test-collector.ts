/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import { createTestStorage, type TestDriver, type TestStorage } from '@aihub/core/testing';
import { createCollector, type Collector } from '../collector';
import { loadCollectorConfig } from '../config';
import { defaultFeatures } from '../features';

export const TEST_TOKEN = 't';

export interface TestCollector {
  collector: Collector;
  url: string;
  storage: TestStorage;
  /** POST /v1/push with the test token; returns the status and JSON body. */
  push(payload: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** fetch(url + path) with the test token; the raw Response. */
  request(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * A real collector on 127.0.0.1 with every default feature, on a fresh database of the given
 * driver (or on `storage` shared with another collector: the multi-replica tests).
 */
export async function startTestCollector(
  opts: {
    driver?: TestDriver;
    storage?: TestStorage;
    env?: Record<string, string>;
    cleanup?: boolean;
  } = {},
): Promise<TestCollector> {
  const storage = opts.storage ?? (await createTestStorage(opts.driver ?? 'pglite'));
  const env: Record<string, string> = {
    COLLECTOR_PORT: '0',
    AIHUB_TOKENS: TEST_TOKEN,
    SELF_METRICS_INTERVAL: '0',
    LOG_LEVEL: 'warn',
    ...storage.env,
    ...opts.env,
  };
  const config = loadCollectorConfig(env);
  const collector = createCollector(config, { features: defaultFeatures(config, env) });
  const { url } = await collector.start();
  const auth = { authorization: `Bearer ${TEST_TOKEN}` };
  return {
    collector,
    url,
    storage,
    async push(payload, headers = {}) {
      const res = await fetch(`${url}/v1/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth, ...headers },
        body: JSON.stringify(payload),
      });
      return { status: res.status, body: await res.json() };
    },
    request(path, init = {}) {
      return fetch(`${url}${path}`, {
        ...init,
        headers: { ...auth, ...(init.headers as Record<string, string>) },
      });
    },
    async get(path, headers = auth) {
      const res = await fetch(`${url}${path}`, { headers });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      await collector.stop();
      if (opts.cleanup !== false && !opts.storage) await storage.cleanup();
    },
  };
}
