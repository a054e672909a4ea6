import {
  toNumber,
  SPAN_STATUS_ERROR,
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpSpan,
} from './otlp-proto';

/** An `llm` push item (DESIGN.md "Ingest"), before validation: the schema decides what is valid. */
export interface LlmPushItem {
  ts: number;
  provider: string;
  model: string;
  operation: string;
  input_tokens?: unknown;
  output_tokens?: unknown;
  cached_tokens?: unknown;
  latency_ms: number;
  ttft_ms?: number;
  status: 'ok' | 'error';
  error_type?: string;
  user_id?: string;
  session_id?: string;
  tags: Record<string, string>;
}

export interface SpanCall {
  item: LlmPushItem;
  /** `<trace id>:<span id>` in hex, when the span has both: a retried export is stored once. */
  spanKey?: string;
}

type Attrs = Map<string, unknown>;

/**
 * Attribute spellings, first present wins (docs/integrations.md lists them): the current OTel
 * GenAI conventions, then their older names, then OpenLLMetry's and OpenInference's.
 */
const PROVIDER = ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system'];
// The model that answered (and is billed) before the one asked for.
const MODEL = ['gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name', 'llm.request.model'];
const INPUT_TOKENS = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt'];
const OUTPUT_TOKENS = [
  'gen_ai.usage.output_tokens',
  'gen_ai.usage.completion_tokens',
  'llm.token_count.completion',
];
const CACHED_TOKENS = [
  'gen_ai.usage.cache_read.input_tokens',
  'gen_ai.usage.cache_read_input_tokens',
  'gen_ai.usage.input_tokens.cached',
  'llm.token_count.prompt_details.cache_read',
];
const OPERATION = ['gen_ai.operation.name', 'llm.request.type'];
const USER = ['user.id', 'gen_ai.user.id', 'enduser.id'];
const SESSION = ['session.id', 'gen_ai.conversation.id'];
/** Time to first token, in seconds (OpenLIT and the GenAI server metric's name) or ms (Vercel AI SDK). */
const TTFT_SECONDS = ['gen_ai.server.time_to_first_token', 'gen_ai.response.time_to_first_chunk'];
const TTFT_MS = ['ai.response.msToFirstChunk'];

/** Operations that wrap model calls (agents, tools, workflows): their child spans carry the usage. */
const NOT_MODEL_CALLS = new Set([
  'execute_tool',
  'create_agent',
  'invoke_agent',
  'invoke_workflow',
  'tool',
  'agent',
]);
const OPENINFERENCE_MODEL_KINDS = new Map([
  ['LLM', 'chat'],
  ['EMBEDDING', 'embeddings'],
]);

/**
 * One span → one LLM request, or null when the span does not describe a model call (an HTTP
 * span, a tool or agent span, …). A span is a model call when it names a model and either a
 * GenAI operation that is not an agent or tool operation, a provider, or an OpenInference
 * LLM/EMBEDDING kind.
 */
export function spanToLlm(
  span: OtlpSpan,
  resource: OtlpKeyValue[] | undefined,
  now: number,
): SpanCall | null {
  const a = attributeMap(span.attributes);
  const model = first(a, MODEL, isText);
  if (model === undefined) return null;
  const kind = first(a, ['openinference.span.kind'], isText);
  const declared =
    first(a, OPERATION, isText) ?? (kind ? OPENINFERENCE_MODEL_KINDS.get(kind.toUpperCase()) : undefined);
  if (kind && !OPENINFERENCE_MODEL_KINDS.has(kind.toUpperCase())) return null;
  if (declared !== undefined && NOT_MODEL_CALLS.has(declared)) return null;
  const provider = first(a, PROVIDER, isText);
  if (declared === undefined && provider === undefined && kind === undefined) return null;

  const startNs = toNumber(span.startTimeUnixNano);
  const endNs = toNumber(span.endTimeUnixNano);
  const failed = span.status?.code === SPAN_STATUS_ERROR;
  const errorType = first(a, ['error.type'], isText);
  const ttftSeconds = first(a, TTFT_SECONDS, isNumber);
  const ttftMs = ttftSeconds !== undefined ? ttftSeconds * 1000 : first(a, TTFT_MS, isNumber);
  const item: LlmPushItem = {
    ts: startNs > 0 ? Math.round(startNs / 1e6) : now,
    provider: (provider ?? 'unknown').toLowerCase(),
    model,
    operation: declared ?? 'chat',
    input_tokens: count(first(a, INPUT_TOKENS, isPresent)),
    output_tokens: count(first(a, OUTPUT_TOKENS, isPresent)),
    cached_tokens: count(first(a, CACHED_TOKENS, isPresent)),
    latency_ms:
      endNs > startNs && startNs > 0 ? elapsedNs(span.startTimeUnixNano, span.endTimeUnixNano) / 1e6 : 0,
    status: failed || errorType !== undefined ? 'error' : 'ok',
    tags: {},
  };
  if (ttftMs !== undefined) item.ttft_ms = ttftMs;
  if (item.status === 'error') item.error_type = errorType ?? (span.status?.message || 'error');
  const user = first(a, USER, isText);
  if (user !== undefined) item.user_id = user;
  const session = first(a, SESSION, isText);
  if (session !== undefined) item.session_id = session;

  const service = first(attributeMap(resource), ['service.name'], isText);
  if (service !== undefined) item.tags.service = service;
  const traceId = hex(span.traceId);
  const spanId = hex(span.spanId);
  if (traceId) item.tags.trace_id = traceId;
  if (spanId) item.tags.span_id = spanId;
  return { item, spanKey: traceId && spanId ? `${traceId}:${spanId}` : undefined };
}

/** end − start exactly: epoch nanoseconds are past 2^53, so subtract them as integers. */
function elapsedNs(start: OtlpSpan['startTimeUnixNano'], end: OtlpSpan['endTimeUnixNano']): number {
  try {
    return Number(BigInt(String(end)) - BigInt(String(start)));
  } catch {
    return toNumber(end) - toNumber(start);
  }
}

function attributeMap(list: OtlpKeyValue[] | undefined | null): Attrs {
  const out: Attrs = new Map();
  for (const kv of list ?? []) out.set(kv.key, plain(kv.value));
  return out;
}

/** An AnyValue as a JS value; numbers sent as strings stay strings for the schema to judge. */
function plain(v: OtlpAnyValue | null | undefined): unknown {
  if (!v) return undefined;
  const has = (k: keyof OtlpAnyValue) => Object.prototype.hasOwnProperty.call(v, k) && v[k] !== null;
  if (has('stringValue')) return v.stringValue;
  if (has('intValue')) return toNumber(v.intValue);
  if (has('doubleValue')) return v.doubleValue;
  if (has('boolValue')) return v.boolValue;
  if (has('arrayValue')) return (v.arrayValue?.values ?? []).map(plain);
  return undefined;
}

const isText = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isPresent = (v: unknown): v is unknown => v !== undefined && v !== '';

/** Token counts some SDKs send as strings ("812") are read as numbers; anything else is left to the schema. */
const count = (v: unknown): unknown => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);

function first<T>(a: Attrs, keys: string[], ok: (v: unknown) => v is T): T | undefined {
  for (const k of keys) {
    const v = a.get(k);
    if (ok(v)) return v;
  }
  return undefined;
}

function hex(bytes: Uint8Array | null | undefined): string {
  return bytes && bytes.length ? Buffer.from(bytes).toString('hex') : '';
}
