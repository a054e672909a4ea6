import { lastValueFrom } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import type { ZodType, ZodTypeDef } from 'zod';
import { PROXY_BASE } from '../constants';
import { ServiceError, ServiceName, toServiceError } from './serviceError';

export function proxyUrl(service: ServiceName, path: string): string {
  return `${PROXY_BASE}/${service}${path.startsWith('/') ? path : `/${path}`}`;
}

interface FetchErrorLike {
  status?: number;
  statusText?: string;
  data?: unknown;
}

/**
 * A JSON request through Grafana's plugin proxy with getBackendSrv (which adds Grafana's
 * headers and session). The response is validated with `schema`; a body that does not match
 * is reported as a ServiceError instead of rendering half-understood data.
 */
export async function requestJson<T>(
  service: ServiceName,
  path: string,
  schema: ZodType<T, ZodTypeDef, unknown>,
  init: { method?: 'GET' | 'POST'; data?: unknown; params?: Record<string, string> } = {}
): Promise<T> {
  let data: unknown;
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url: proxyUrl(service, path),
        method: init.method ?? 'GET',
        data: init.data,
        params: init.params,
        showErrorAlert: false,
        showSuccessAlert: false,
      })
    );
    data = response.data;
  } catch (e) {
    const err = (e ?? {}) as FetchErrorLike;
    throw toServiceError(service, err.status ?? 0, err.data, err.statusText || `HTTP ${err.status ?? 0}`);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ServiceError(
      service,
      200,
      `Unexpected response from ${service} ${path}: ${issue.path.join('.') || '(root)'} ${issue.message}`,
      'bad_response'
    );
  }
  return parsed.data;
}
