import http from 'http';
import type { AddressInfo } from 'net';

/** What the proxy does with the next request. */
export type ProxyStep =
  | { type: 'pass' }
  /** Answers with this status without forwarding (nothing stored). */
  | { type: 'status'; status: number; retryAfter?: string }
  /** Forwards, waits for the collector's answer (the batch is committed), then never answers. */
  | { type: 'pass-then-hang' };

export interface RecordedPush {
  idempotencyKey?: string;
  step: ProxyStep['type'];
  receivedAt: number;
}

export interface FaultProxy {
  url: string;
  requests: RecordedPush[];
  enqueue(...steps: ProxyStep[]): void;
  close(): Promise<void>;
}

/**
 * A real HTTP proxy in front of a real collector that injects failures on a script: 503s,
 * 429 with Retry-After, and a request that commits upstream but whose answer never arrives.
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const steps: ProxyStep[] = [];
  const requests: RecordedPush[] = [];
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const step = steps.shift() ?? { type: 'pass' };
      requests.push({
        idempotencyKey: req.headers['idempotency-key'] as string | undefined,
        step: step.type,
        receivedAt: Date.now(),
      });
      if (step.type === 'status') {
        res.writeHead(step.status, {
          'content-type': 'application/json',
          ...(step.retryAfter ? { 'retry-after': step.retryAfter } : {}),
        });
        res.end(
          JSON.stringify({ error: { code: 'injected', message: `injected ${step.status}`, details: [] } }),
        );
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
      const upstream = await fetch(`${target}${req.url}`, {
        method: req.method,
        headers,
        body: Buffer.concat(chunks),
      });
      const text = await upstream.text();
      if (step.type === 'pass-then-hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...s) => void steps.push(...s),
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
