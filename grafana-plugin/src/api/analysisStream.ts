import { config } from '@grafana/runtime';
import { proxyUrl } from './proxy';
import { ServiceError, toServiceError } from './serviceError';
import { readSse } from './sse';
import { findingSchema, llmErrorSchema, llmInfoSchema, type Finding, type LlmError, type LlmInfo } from './types';

/** What a streamed analysis or chat reports as it goes (events `findings`, `delta`, `done`, `error`). */
export interface AnalysisStreamHandlers {
  onFindings?: (findings: Finding[], stats: unknown) => void;
  onDelta?: (text: string) => void;
  onDone?: (info: { llm?: LlmInfo; narrative?: string }) => void;
  /** An LLM failure reported inside the stream; deterministic findings already sent stay valid. */
  onLlmError?: (error: LlmError) => void;
}

function parseJson(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

/** A `delta` carries `{text}` (or `{content}`/`{delta}`); a bare string is taken as the text. */
export function deltaText(payload: unknown): string {
  if (typeof payload === 'string') {
    return payload;
  }
  if (payload && typeof payload === 'object') {
    const o = payload as Record<string, unknown>;
    for (const key of ['text', 'content', 'delta']) {
      if (typeof o[key] === 'string') {
        return o[key] as string;
      }
    }
  }
  return '';
}

function toLlmError(payload: unknown): LlmError {
  const o = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const candidate = o.llm_error ?? o.error ?? o;
  const parsed = llmErrorSchema.safeParse(candidate);
  if (parsed.success) {
    return parsed.data;
  }
  const message = typeof payload === 'string' ? payload : 'The assistant failed without saying why';
  return { category: 'unknown', message };
}

/**
 * POSTs JSON to a streaming endpoint through the plugin proxy with native fetch and reads the
 * SSE body. Resolves when the stream ends; rejects with a ServiceError on a non-2xx answer or
 * a connection failure; an abort via `signal` rejects with the DOMException "AbortError".
 */
export async function streamAnalysisEvents(
  path: '/v1/analyze' | '/v1/chat',
  body: unknown,
  handlers: AnalysisStreamHandlers,
  signal?: AbortSignal
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${config.appSubUrl ?? ''}${proxyUrl('collector', path)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (e) {
    if (signal?.aborted) {
      throw e;
    }
    throw new ServiceError('collector', 0, `collector is unreachable: ${e instanceof Error ? e.message : e}`);
  }
  if (!response.ok || !response.body) {
    const text = await response.text().catch(() => '');
    throw toServiceError('collector', response.status, parseJson(text), `HTTP ${response.status} from ${path}`);
  }
  for await (const ev of readSse(response.body)) {
    const payload = parseJson(ev.data);
    switch (ev.event) {
      case 'findings': {
        const o = (payload ?? {}) as Record<string, unknown>;
        const raw = Array.isArray(payload) ? payload : o.findings;
        const findings = Array.isArray(raw) ? raw.flatMap((f) => {
          const r = findingSchema.safeParse(f);
          return r.success ? [r.data] : [];
        }) : [];
        handlers.onFindings?.(findings, Array.isArray(payload) ? undefined : o.stats);
        break;
      }
      case 'delta':
        handlers.onDelta?.(deltaText(payload));
        break;
      case 'done': {
        const o = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
        const llm = llmInfoSchema.safeParse(o.llm);
        // `not_configured` is the normal no-LLM answer (deterministic findings only), not a failure.
        if (o.llm_error && toLlmError(o.llm_error).category !== 'not_configured') {
          handlers.onLlmError?.(toLlmError(o.llm_error));
        }
        handlers.onDone?.({
          llm: llm.success ? llm.data : undefined,
          narrative: typeof o.narrative === 'string' ? o.narrative : undefined,
        });
        break;
      }
      case 'error': {
        const error = toLlmError(payload);
        if (error.category !== 'not_configured') {
          handlers.onLlmError?.(error);
        }
        break;
      }
      default:
        break;
    }
  }
}
