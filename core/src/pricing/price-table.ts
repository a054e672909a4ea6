import { calcPrice } from '@pydantic/genai-prices';

/** USD per million tokens; overrides the shipped table for one provider/model. */
export interface PriceOverride {
  input_mtok: number;
  output_mtok: number;
  cache_read_mtok?: number;
}

export interface TokenUsage {
  inputTokens: number; // includes cached tokens
  outputTokens: number;
  cachedTokens: number;
}

export type PriceResult = { costUsd: number; source: 'table' | 'override' } | null;

/**
 * Prices LLM requests from @pydantic/genai-prices (a maintained table with cached-token
 * prices), with per-model overrides from configuration. An unknown model returns null: the
 * caller counts and logs it instead of pricing it at 0.
 */
export class PriceTable {
  private readonly overrides: Map<string, PriceOverride>;
  private readonly unknown = new Set<string>();

  constructor(overrides: Record<string, PriceOverride> = {}) {
    this.overrides = new Map(Object.entries(overrides).map(([k, v]) => [k.toLowerCase(), v]));
  }

  price(provider: string, model: string, usage: TokenUsage, at?: Date): PriceResult {
    const key = `${provider}/${model}`.toLowerCase();
    const override = this.overrides.get(key);
    if (override) {
      const cached = Math.min(usage.cachedTokens, usage.inputTokens);
      const cost =
        ((usage.inputTokens - cached) * override.input_mtok +
          cached * (override.cache_read_mtok ?? override.input_mtok) +
          usage.outputTokens * override.output_mtok) /
        1e6;
      return { costUsd: cost, source: 'override' };
    }
    if (this.unknown.has(key)) return null;
    const result = calcPrice(
      {
        input_tokens: usage.inputTokens,
        cache_read_tokens: usage.cachedTokens,
        output_tokens: usage.outputTokens,
      },
      model,
      { providerId: provider.toLowerCase(), timestamp: at },
    );
    if (!result) {
      this.unknown.add(key);
      return null;
    }
    return { costUsd: result.total_price, source: 'table' };
  }
}
