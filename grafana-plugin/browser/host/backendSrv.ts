import { Observable } from 'rxjs';
import type { BackendSrv, BackendSrvRequest, FetchResponse } from '@grafana/runtime';

/**
 * The part of Grafana's BackendSrv the plugin uses: `fetch` as an Observable over window.fetch,
 * with query params, JSON bodies and Grafana's error shape ({status, data, statusText}).
 */
export function createBackendSrv(): BackendSrv {
  const fetchObservable = <T>(options: BackendSrvRequest): Observable<FetchResponse<T>> =>
    new Observable<FetchResponse<T>>((subscriber) => {
      const controller = new AbortController();
      const url = new URL(options.url, window.location.origin);
      Object.entries((options.params ?? {}) as Record<string, unknown>).forEach(([k, v]) => {
        if (v !== undefined && v !== null) {
          url.searchParams.set(k, String(v));
        }
      });
      const hasBody = options.data !== undefined && options.method && options.method !== 'GET';
      window
        .fetch(url.toString(), {
          method: options.method ?? 'GET',
          headers: { Accept: 'application/json', ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...(options.headers ?? {}) },
          body: hasBody ? JSON.stringify(options.data) : undefined,
          credentials: 'same-origin',
          signal: controller.signal,
        })
        .then(async (res) => {
          const text = await res.text();
          let data: unknown = text;
          try {
            data = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          const response = {
            data: data as T,
            status: res.status,
            statusText: res.statusText,
            ok: res.ok,
            headers: res.headers,
            redirected: res.redirected,
            type: res.type,
            url: res.url,
            config: options,
          } as FetchResponse<T>;
          if (res.ok) {
            subscriber.next(response);
            subscriber.complete();
          } else {
            subscriber.error({ status: res.status, statusText: res.statusText, data, config: options });
          }
        })
        .catch((err) => subscriber.error({ status: 0, statusText: String(err), data: undefined, config: options }));
      return () => controller.abort();
    });

  const asPromise = async (options: BackendSrvRequest) =>
    new Promise((resolve, reject) => fetchObservable(options).subscribe({ next: (r) => resolve(r.data), error: reject }));

  return {
    fetch: fetchObservable,
    get: (url: string, params?: Record<string, unknown>) => asPromise({ url, params }),
    post: (url: string, data?: unknown) => asPromise({ url, method: 'POST', data }),
    put: (url: string, data?: unknown) => asPromise({ url, method: 'PUT', data }),
    delete: (url: string) => asPromise({ url, method: 'DELETE' }),
    patch: (url: string, data?: unknown) => asPromise({ url, method: 'PATCH', data }),
    request: (options: BackendSrvRequest) => asPromise(options),
    datasourceRequest: (options: BackendSrvRequest) => asPromise(options),
  } as unknown as BackendSrv;
}
