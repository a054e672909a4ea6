/**
 * LLM-traffic diagnostics per provider/model over the derived signals (DESIGN.md: llm_requests,
 * llm_error_rate, llm_latency_ms_p95, llm_cost_usd, llm_cache_hit_rate, one point per time
 * bucket; rates in percent, as storage derives them). The window is split in time: the last
 * `recentFraction` is compared with the rest.
 */
import { meanOf, medianOf, round } from '../curves';
import { sortByTime } from '../statistics';
import type { DiagnosticThresholds } from '../thresholds';
import { boundText } from '../untrusted-text';
import type { Finding, Point, SeriesInput, SeriesRef } from '../types';

const SIGNALS = [
  'llm_requests',
  'llm_error_rate',
  'llm_latency_ms_p95',
  'llm_cost_usd',
  'llm_cache_hit_rate',
] as const;
type Signal = (typeof SIGNALS)[number];

interface Traffic {
  provider: string;
  model: string;
  signals: Partial<Record<Signal, { points: Point[]; ref: SeriesRef }>>;
}

export function isLlmSignal(name: string): boolean {
  return name.startsWith('llm_');
}

function groupTraffic(series: SeriesInput[]): Traffic[] {
  const groups = new Map<string, Traffic>();
  for (const s of series) {
    if (!(SIGNALS as readonly string[]).includes(s.name)) continue;
    const provider = s.labels.provider ?? s.labels.gen_ai_provider_name ?? '';
    const model = s.labels.model ?? s.labels.gen_ai_request_model ?? '';
    const key = JSON.stringify([provider, model]);
    const g = groups.get(key) ?? { provider, model, signals: {} };
    g.signals[s.name as Signal] = {
      points: sortByTime(s.points).filter((p) => Number.isFinite(p[1])),
      ref: { name: s.name, labels: s.labels },
    };
    groups.set(key, g);
  }
  return [...groups.values()];
}

interface Split {
  recent: Point[];
  baseline: Point[];
}

/** Splits by time at to − recentFraction·(to − from), using the span of all the group's signals. */
function splitter(g: Traffic, fraction: number): (points: Point[]) => Split {
  let from = Infinity;
  let to = -Infinity;
  for (const s of Object.values(g.signals)) {
    if (!s.points.length) continue;
    from = Math.min(from, s.points[0][0]);
    to = Math.max(to, s.points[s.points.length - 1][0]);
  }
  const cut = to - fraction * (to - from);
  return (points) => ({
    recent: points.filter((p) => p[0] > cut),
    baseline: points.filter((p) => p[0] <= cut),
  });
}

/** Request-weighted mean of a rate over some buckets (plain mean without request counts). */
function weightedRate(points: Point[], requests: Map<number, number> | null): number {
  if (!requests) return meanOf(points.map((p) => p[1]));
  let num = 0;
  let den = 0;
  for (const [t, v] of points) {
    const w = requests.get(t) ?? 0;
    num += v * w;
    den += w;
  }
  return den > 0 ? num / den : meanOf(points.map((p) => p[1]));
}

function label(g: Traffic): string {
  return `${boundText(g.provider, 60) || 'unknown provider'}/${boundText(g.model, 80) || 'unknown model'}`;
}

export function diagnoseLlmTraffic(series: SeriesInput[], t: DiagnosticThresholds): Finding[] {
  const out: Finding[] = [];
  const th = t.llm;
  for (const g of groupTraffic(series)) {
    const split = splitter(g, th.recentFraction);
    const who = label(g);
    const req = g.signals.llm_requests;
    const requests = req ? new Map(req.points.map((p) => [p[0], p[1]])) : null;
    const recentRequests = req ? split(req.points).recent.reduce((a, p) => a + p[1], 0) : null;
    // Too little recent traffic to judge rates and percentiles.
    if (recentRequests !== null && recentRequests < th.minRequests) continue;
    const evidenceBase = { provider: g.provider, model: g.model, recent_requests: recentRequests };

    const err = g.signals.llm_error_rate;
    if (err) {
      const { recent, baseline } = split(err.points);
      if (recent.length && baseline.length) {
        const now = weightedRate(recent, requests);
        const before = weightedRate(baseline, requests);
        if (
          now >= th.errorRatePercentMin &&
          now >= th.errorRateFactor * before &&
          now - before >= th.errorRatePercentMinIncrease
        ) {
          out.push({
            code: 'llm_error_spike',
            severity: now >= 5 * th.errorRatePercentMin ? 'critical' : 'warning',
            title: `Error spike on ${who}`,
            detail: `${round(now, 3)}% of recent requests to ${who} failed, against ${round(before, 3)}% before. Check the provider's status, rate limits and quotas, and the error types of the failed requests.`,
            evidence: {
              ...evidenceBase,
              error_rate_pct_recent: round(now),
              error_rate_pct_baseline: round(before),
              threshold_pct: th.errorRatePercentMin,
            },
            series: [err.ref],
          });
        }
      }
    }

    const lat = g.signals.llm_latency_ms_p95;
    if (lat) {
      const { recent, baseline } = split(lat.points);
      if (recent.length && baseline.length) {
        const now = medianOf(recent.map((p) => p[1]));
        const before = medianOf(baseline.map((p) => p[1]));
        if (before > 0 && now > th.latencyFactor * before && now - before >= th.latencyMinIncreaseMs) {
          out.push({
            code: 'latency_regression',
            severity: now >= 2 * th.latencyFactor * before ? 'critical' : 'warning',
            title: `Latency regression on ${who}`,
            detail: `The p95 latency of ${who} is ${round(now)} ms, ${round(now / before, 3)}× the previous window's ${round(before)} ms. Longer prompts or outputs, provider load, or a changed model version are the usual causes.`,
            evidence: {
              ...evidenceBase,
              p95_ms_recent: round(now),
              p95_ms_baseline: round(before),
              factor: round(now / before),
              threshold_factor: th.latencyFactor,
            },
            series: [lat.ref],
          });
        }
      }
    }

    const cost = g.signals.llm_cost_usd;
    if (cost) {
      const { recent, baseline } = split(cost.points);
      if (recent.length && baseline.length) {
        const now = meanOf(recent.map((p) => p[1]));
        const before = meanOf(baseline.map((p) => p[1]));
        if (now > th.costFactor * before && now - before >= th.costMinIncreaseUsd) {
          out.push({
            code: 'cost_spike',
            severity: now >= 2 * th.costFactor * before ? 'critical' : 'warning',
            title: `Cost spike on ${who}`,
            detail: `${who} now costs $${round(now)} per interval against $${round(before)} before (${before > 0 ? `${round(now / before, 3)}×` : 'from nothing'}). Check for a traffic surge, longer prompts, a retry loop, or a switch to a pricier model.`,
            evidence: {
              ...evidenceBase,
              cost_usd_per_bucket_recent: round(now),
              cost_usd_per_bucket_baseline: round(before),
              threshold_factor: th.costFactor,
            },
            series: [cost.ref],
          });
        }
      }
    }

    const cache = g.signals.llm_cache_hit_rate;
    if (cache) {
      const { recent, baseline } = split(cache.points);
      const all = weightedRate(cache.points, requests);
      // A cache that never hits is a cache not in use: nothing to report.
      if (recent.length && all > 0) {
        const now = weightedRate(recent, requests);
        const before = baseline.length ? weightedRate(baseline, requests) : now;
        if (now < th.cacheHitRatePercentMin) {
          const dropped = before >= th.cacheHitRatePercentMin;
          out.push({
            code: 'low_cache_hit_rate',
            severity: dropped ? 'warning' : 'info',
            title: `Low cache hit rate on ${who}`,
            detail: dropped
              ? `The cache hit rate of ${who} fell to ${round(now, 3)}% from ${round(before, 3)}%. A changed prompt prefix (timestamps or IDs at the start) or a shorter cache TTL usually explains it.`
              : `Only ${round(now, 3)}% of requests to ${who} hit the cache. Put the stable part of prompts first so prefix caching can work.`,
            evidence: {
              ...evidenceBase,
              cache_hit_rate_pct_recent: round(now),
              cache_hit_rate_pct_baseline: round(before),
              threshold_pct: th.cacheHitRatePercentMin,
            },
            series: [cache.ref],
          });
        }
      }
    }
  }
  return out;
}
