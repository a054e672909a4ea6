import { requestJson } from './proxy';
import { streamAnalysisEvents, type AnalysisStreamHandlers } from './analysisStream';
import {
  analysisResponseSchema,
  assistantStatusSchema,
  healthSchema,
  llmSummarySchema,
  trainingRunsSchema,
  type AnalysisResponse,
  type AnalyzeRequest,
  type AssistantStatus,
  type ChatContext,
  type ChatMessage,
  type Health,
  type LlmSummary,
  type TrainingRun,
} from './types';
import type { ServiceName } from './serviceError';

/** Collector and alerting share `/health`; the plugin proxy reaches either by name. */
export function getHealth(service: ServiceName): Promise<Health> {
  return requestJson(service, '/health', healthSchema);
}

export function listTrainingRuns(): Promise<TrainingRun[]> {
  return requestJson('collector', '/v1/training/runs', trainingRunsSchema);
}

export function getLlmSummary(range?: { from: number; to: number }): Promise<LlmSummary> {
  const params = range ? { from: String(range.from), to: String(range.to) } : undefined;
  return requestJson('collector', '/v1/llm/summary', llmSummarySchema, { params });
}

export function getAssistantStatus(): Promise<AssistantStatus> {
  return requestJson('collector', '/v1/assistant/status', assistantStatusSchema);
}

/** JSON has no NaN/Infinity; the analysis API takes them as the strings "NaN", "Infinity", "-Infinity". */
export function toWire(request: AnalyzeRequest) {
  return {
    ...request,
    series: request.series.map((s) => ({
      ...s,
      points: s.points.map(([t, v]) => [t, Number.isFinite(v) ? v : String(v)] as [number, number | string]),
    })),
  };
}

/** Non-streamed analysis: one JSON answer with findings and, when an LLM is configured, a narrative. */
export function analyze(request: AnalyzeRequest): Promise<AnalysisResponse> {
  return requestJson('collector', '/v1/analyze', analysisResponseSchema, { method: 'POST', data: toWire(request) });
}

/** Streamed analysis: findings first, then the narrative as `delta` events. */
export function streamAnalysis(request: AnalyzeRequest, handlers: AnalysisStreamHandlers, signal?: AbortSignal) {
  return streamAnalysisEvents('/v1/analyze', toWire(request), handlers, signal);
}

export interface ChatRequest {
  messages: ChatMessage[];
  context: ChatContext;
}

export function streamChat(request: ChatRequest, handlers: AnalysisStreamHandlers, signal?: AbortSignal) {
  return streamAnalysisEvents('/v1/chat', request, handlers, signal);
}
