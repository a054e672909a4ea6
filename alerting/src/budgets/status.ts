import { llmHourlySpend, llmSpendBy, type Queryable } from '@aihub/core';
import type { Labels } from '../types/labels';
import { expectedShare, forecastSpend, hourProfile, PROFILE_HISTORY_MS, type HourProfile } from './forecast';
import { periodBounds, type PeriodBounds } from './period';
import { byLabel, type Budget } from './schema';

export type BudgetUnit = 'usd' | 'tokens';

/** Where one budget instance stands in its period. */
export interface BudgetInstanceStatus {
  /** The `by` labels (empty for a budget without `by`). */
  labels: Labels;
  spentUsd: number;
  spentTokens: number;
  /** Spent in the limit's unit. */
  spent: number;
  percent: number;
  /** Forecast end-of-period spend in the limit's unit; null too early in the period. */
  forecast: number | null;
  /** Thresholds (percent) reached. */
  crossed: number[];
  forecastOver: boolean;
}

export interface BudgetStatus {
  budget: string;
  unit: BudgetUnit;
  limit: number;
  bounds: PeriodBounds;
  /** Every instance with spend this period, highest spent first. */
  instances: BudgetInstanceStatus[];
  /** Whether the forecast uses the hour-of-day profile (a week of history) or a straight line. */
  forecastModel: 'linear' | 'hour_of_day';
}

export const unitOf = (b: Budget): BudgetUnit => (b.limit_usd !== undefined ? 'usd' : 'tokens');
export const limitOf = (b: Budget): number => b.limit_usd ?? b.limit_tokens!;

/**
 * Computes budget status from llm_requests: one aggregate query per budget for the period so
 * far, plus (hourly at most, cached) one for the hour-of-day profile of the weeks before it.
 */
export class BudgetStatusReader {
  private readonly profiles = new Map<string, { key: string; profile: HourProfile | null }>();

  constructor(private readonly db: Queryable) {}

  private async profile(b: Budget, bounds: PeriodBounds, nowMs: number): Promise<HourProfile | null> {
    const key = `${JSON.stringify(b.match)}|${b.timezone}|${bounds.start}|${Math.floor(nowMs / 3_600_000)}`;
    const cached = this.profiles.get(b.name);
    if (cached?.key === key) return cached.profile;
    const buckets = await llmHourlySpend(
      this.db,
      { columns: withoutLabels(b.match), labels: b.match.labels },
      bounds.start - PROFILE_HISTORY_MS,
      bounds.start,
    );
    const unit = unitOf(b);
    const profile = hourProfile(
      buckets.map((x) => ({ hour: x.hour, amount: unit === 'usd' ? x.usd : x.tokens })),
      b.timezone,
      bounds.start,
    );
    this.profiles.set(b.name, { key, profile });
    return profile;
  }

  /** Forgets cached profiles of budgets that no longer exist. */
  retain(names: Set<string>): void {
    for (const n of this.profiles.keys()) if (!names.has(n)) this.profiles.delete(n);
  }

  async status(b: Budget, nowMs: number): Promise<BudgetStatus> {
    const bounds = periodBounds(b.period, b.timezone, nowMs);
    const unit = unitOf(b);
    const limit = limitOf(b);
    const rows = await llmSpendBy(
      this.db,
      { columns: withoutLabels(b.match), labels: b.match.labels },
      b.by as Parameters<typeof llmSpendBy>[2],
      bounds.start,
      Math.min(nowMs + 1, bounds.end),
    );
    const profile = b.forecast ? await this.profile(b, bounds, nowMs) : null;
    const share = expectedShare(bounds, b.timezone, nowMs, profile);
    const elapsed = nowMs - bounds.start;
    const instances = rows.map((r): BudgetInstanceStatus => {
      const spent = unit === 'usd' ? r.usd : r.tokens;
      const percent = (100 * spent) / limit;
      const forecast = b.forecast ? forecastSpend(spent, elapsed, share) : null;
      return {
        labels: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [byLabel(k), v])),
        spentUsd: r.usd,
        spentTokens: r.tokens,
        spent,
        percent,
        forecast,
        crossed: b.thresholds.filter((t) => percent >= t),
        forecastOver: forecast !== null && forecast > limit && percent < 100,
      };
    });
    instances.sort((x, y) => y.spent - x.spent);
    return {
      budget: b.name,
      unit,
      limit,
      bounds,
      instances,
      forecastModel: profile ? 'hour_of_day' : 'linear',
    };
  }
}

function withoutLabels(match: Budget['match']): Omit<Budget['match'], 'labels'> {
  return Object.fromEntries(Object.entries(match).filter(([k]) => k !== 'labels'));
}

/** "$4.10" or "1,234,567 tokens". */
export function formatAmount(amount: number, unit: BudgetUnit): string {
  return unit === 'usd' ? `$${amount.toFixed(2)}` : `${Math.round(amount).toLocaleString('en-US')} tokens`;
}
