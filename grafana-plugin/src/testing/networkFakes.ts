/**
 * Test doubles for the network boundary only: Grafana's BackendSrv (getBackendSrv) and the
 * browser's fetch. Everything above them — API clients, hooks, components — runs for real.
 */
import { Observable } from 'rxjs';
import { ReadableStream } from 'stream/web';
import { setBackendSrv, type BackendSrv, type BackendSrvRequest, type FetchResponse } from '@grafana/runtime';

export interface RecordedRequest {
  method: string;
  url: string;
  params?: Record<string, string>;
  data?: unknown;
}

export type Reply = { status: number; data?: unknown };
export type Route = (req: RecordedRequest) => Reply | Promise<Reply> | undefined;

/** Installs a BackendSrv whose fetch answers from `route`; unanswered requests are 404s. */
export function installBackendSrv(route: Route): RecordedRequest[] {
  const calls: RecordedRequest[] = [];
  const srv = {
    fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
      const req: RecordedRequest = {
        method: options.method ?? 'GET',
        url: options.url,
        params: options.params as Record<string, string> | undefined,
        data: options.data,
      };
      calls.push(req);
      return new Observable<FetchResponse<T>>((subscriber) => {
        Promise.resolve(route(req)).then((reply) => {
          const r = reply ?? { status: 404, data: { error: { code: 'not_found', message: `no route for ${req.method} ${req.url}` } } };
          if (r.status >= 200 && r.status < 300) {
            subscriber.next({ data: r.data as T, status: r.status, ok: true } as FetchResponse<T>);
            subscriber.complete();
          } else {
            subscriber.error({ status: r.status, data: r.data, statusText: `HTTP ${r.status}` });
          }
        });
      });
    },
  };
  setBackendSrv(srv as unknown as BackendSrv);
  return calls;
}

export interface SseScript {
  status?: number;
  /** Events to send in order; `{wait: 'abort'}` holds the stream open until the request is aborted. */
  events?: Array<{ event: string; data: unknown } | { wait: 'abort' } | { raw: string }>;
  /** A non-SSE body (for error answers). */
  json?: unknown;
}

export interface FetchCall {
  url: string;
  body: unknown;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

function encode(ev: { event: string; data: unknown }): string {
  const data = typeof ev.data === 'string' ? ev.data : JSON.stringify(ev.data);
  return `event: ${ev.event}\n${data
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n')}\n\n`;
}

/** Installs window.fetch answering with an SSE stream (or JSON error) chosen by `script`. */
export function installFetch(script: (call: FetchCall) => SseScript): FetchCall[] {
  const calls: FetchCall[] = [];
  const fetchImpl = async (url: string, init: RequestInit = {}) => {
    const call: FetchCall = {
      url,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      headers: (init.headers ?? {}) as Record<string, string>,
      signal: init.signal ?? undefined,
    };
    calls.push(call);
    if (call.signal?.aborted) {
      throw new DOMException('The operation was aborted.', 'AbortError');
    }
    const s = script(call);
    const status = s.status ?? 200;
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        if (s.json !== undefined) {
          controller.enqueue(encoder.encode(JSON.stringify(s.json)));
          controller.close();
          return;
        }
        for (const ev of s.events ?? []) {
          if ('wait' in ev) {
            await new Promise<void>((resolve) => {
              if (call.signal?.aborted) {
                resolve();
              }
              call.signal?.addEventListener('abort', () => resolve());
            });
            controller.error(new DOMException('The operation was aborted.', 'AbortError'));
            return;
          }
          controller.enqueue(encoder.encode('raw' in ev ? ev.raw : encode(ev)));
          await new Promise((r) => setTimeout(r, 0));
        }
        controller.close();
      },
    });
    return {
      ok: status >= 200 && status < 300,
      status,
      body,
      text: async () => (s.json !== undefined ? JSON.stringify(s.json) : ''),
    } as unknown as Response;
  };
  Object.defineProperty(window, 'fetch', { value: fetchImpl, writable: true, configurable: true });
  Object.defineProperty(globalThis, 'fetch', { value: fetchImpl, writable: true, configurable: true });
  return calls;
}

export const finding = (over: Partial<Record<string, unknown>> = {}) => ({
  code: 'overfitting',
  severity: 'warning',
  title: 'Validation loss rises while training loss falls',
  detail: 'val_loss rose 18% over the last 5 epochs while train_loss kept falling.',
  evidence: { val_loss_change_ratio: 0.18, epochs: 5 },
  series: [{ name: 'training_val_loss', labels: { run_id: 'r1' } }],
  ...over,
});
