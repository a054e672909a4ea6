import { COLLECTOR_MAIN, startServiceProcess, type ServiceProcess } from '@aihub/core/testing';

export interface CollectorProcess extends ServiceProcess {
  /** POST /v1/push with the given bearer token; the HTTP status. */
  push(body: unknown): Promise<number>;
}

/** The built collector as its own process (the end-to-end tests push through it). */
export async function startCollectorProcess(
  env: Record<string, string>,
  token: string,
): Promise<CollectorProcess> {
  const p = await startServiceProcess(COLLECTOR_MAIN, {
    COLLECTOR_PORT: '0',
    AIHUB_TOKENS: token,
    SELF_METRICS_INTERVAL: '0',
    ...env,
  });
  return {
    ...p,
    async push(body) {
      const res = await fetch(`${p.url}/v1/push`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
  };
}
