import type { Counter } from '@opentelemetry/api';
import { ApiError } from '../http/errors';
import type { IngestService } from '../ingest/ingest-service';
import type { OtlpTraceRequest } from './otlp-proto';
import { spanToLlm } from './spans-to-llm';

export type SpanOutcome = 'stored' | 'duplicate' | 'not_model_call' | 'rejected';

export interface TraceExportResult {
  rejected: number;
  errors: string[];
}

/**
 * Stores the model-call spans of one OTLP trace export as LLM requests, each exactly as if it
 * had been pushed in the `llm` family (same schema, pricing and durable write). Every span is
 * its own write keyed by its trace and span id, so a retried export stores nothing twice, and
 * the writer's group commit still puts them in one transaction. An invalid span is rejected
 * alone (OTLP partial success); other spans are counted and dropped. Resolves after COMMIT;
 * throws the first 429/503 when storage refused some (the exporter retries, duplicates are
 * recognised).
 */
export async function storeModelCallSpans(
  request: OtlpTraceRequest,
  deps: { ingest: IngestService; spans: Counter; now: number },
): Promise<TraceExportResult> {
  const counts: Record<SpanOutcome, number> = { stored: 0, duplicate: 0, not_model_call: 0, rejected: 0 };
  const errors: string[] = [];
  const writes: Promise<void>[] = [];
  for (const rs of request.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const call = spanToLlm(span, rs.resource?.attributes, deps.now);
        if (!call) {
          counts.not_model_call++;
          continue;
        }
        let payload;
        try {
          payload = deps.ingest.validate({ llm: [call.item] });
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          counts.rejected++;
          if (errors.length < 5) {
            const d = err.details[0];
            errors.push(
              `span ${span.name ?? ''}: ${d ? `${d.path.replace(/^llm\[0\]\./, '')}: ${d.message}` : err.message}`,
            );
          }
          continue;
        }
        const idempotencyKey = call.spanKey ? `otlp-span:${call.spanKey}` : undefined;
        writes.push(
          deps.ingest.ingestValid(payload, { idempotencyKey, source: 'otlp_traces' }).then((r) => {
            counts[r.duplicate ? 'duplicate' : 'stored']++;
          }),
        );
      }
    }
  }
  const settled = await Promise.allSettled(writes);
  for (const [outcome, n] of Object.entries(counts)) if (n > 0) deps.spans.add(n, { outcome });
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return { rejected: counts.rejected, errors };
}
