/**
 * The analysis API as a collector feature: mounts createAnalysisRouter with the collector's
 * storage and logger, and records the assistant's own LLM calls through the normal ingest
 * path (so they land in llm_requests and the gen_ai_* metrics like any other LLM traffic).
 */
import {
  createLlmClient,
  envInt,
  llmConfigFromEnv,
  type LlmClient,
  type ThresholdOverrides,
} from '@aihub/core';
import type { CollectorFeature } from '../collector';
import { ANALYSIS_BUDGET, createAnalysisRouter } from './router';

export interface AnalysisFeatureOptions {
  /** The LLM client; omitted → from OPENAI_API_KEY / OPENAI_BASE_URL / AIHUB_LLM_MODEL; null → none. */
  llm?: LlmClient | null;
  env?: Record<string, string | undefined>;
  thresholds?: ThresholdOverrides;
}

export function analysisFeature(options: AnalysisFeatureOptions = {}): CollectorFeature {
  const config = options.llm === undefined ? llmConfigFromEnv(options.env ?? process.env) : null;
  const llm = options.llm !== undefined ? options.llm : config ? createLlmClient(config) : null;
  const env = options.env ?? process.env;
  const maxConcurrent = envInt(env, 'ANALYSIS_MAX_CONCURRENT', ANALYSIS_BUDGET.maxConcurrent, 1);
  const maxPoints = envInt(env, 'ANALYSIS_MAX_POINTS', ANALYSIS_BUDGET.maxPoints, 1);
  return {
    name: 'analysis',
    router: (ctx) =>
      createAnalysisRouter({
        db: ctx.db,
        llm,
        logger: ctx.logger.child({ component: 'analysis' }),
        thresholds: options.thresholds,
        maxConcurrent,
        maxPoints,
        recordLlmUsage: async (record) => {
          await ctx.ingest.ingest({ llm: [record] }, { source: 'assistant' });
        },
      }),
    start(ctx) {
      if (!llm) return;
      const client = llm;
      // The response cache's effect, beside the assistant's own gen_ai_* usage.
      ctx.telemetry.meter
        .createObservableCounter('aihub.assistant.cache_lookups', {
          description: 'Assistant LLM response cache lookups, by result',
        })
        .addCallback((r) => {
          const s = client.cacheStats();
          r.observe(s.hits, { result: 'hit' });
          r.observe(s.misses, { result: 'miss' });
        });
    },
  };
}
