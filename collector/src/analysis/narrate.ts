/**
 * Findings → narrative: the LLM when one is configured and answers, otherwise the templated
 * narrative with `llm_error` saying why. Only a caller that went away ends without an answer.
 */
import {
  LlmError,
  notConfiguredError,
  type ChatMessage,
  type LlmClient,
  type LlmErrorInfo,
  type LlmUsage,
  type LlmUsageRecord,
} from '@aihub/core';

export interface Narration {
  narrative: string;
  narrative_source: 'llm' | 'template';
  llm?: { model: string; usage: LlmUsage; cached: boolean };
  llm_error?: LlmErrorInfo;
  /** Whether any LLM text reached onDelta (a failure after that must not add template text). */
  streamed: boolean;
}

export class ClientGoneError extends Error {}

export async function narrate(options: {
  llm: LlmClient | null;
  messages: ChatMessage[];
  fallback: string;
  signal: AbortSignal;
  onDelta?: (text: string) => void;
  onAttempt: (record: LlmUsageRecord) => void;
}): Promise<Narration> {
  const { llm, fallback } = options;
  if (!llm)
    return {
      narrative: fallback,
      narrative_source: 'template',
      llm_error: notConfiguredError(),
      streamed: false,
    };
  let streamed = false;
  try {
    const r = await llm.complete(options.messages, {
      signal: options.signal,
      onAttempt: options.onAttempt,
      onDelta: (d) => {
        streamed = true;
        options.onDelta?.(d);
      },
    });
    return {
      narrative: r.text,
      narrative_source: 'llm',
      llm: { model: r.model, usage: r.usage, cached: r.cached },
      streamed,
    };
  } catch (err) {
    if (options.signal.aborted) throw new ClientGoneError('client disconnected');
    if (!(err instanceof LlmError)) throw err;
    return { narrative: fallback, narrative_source: 'template', llm_error: err.info, streamed };
  }
}
