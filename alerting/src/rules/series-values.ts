import { isLlmSignal, queryRange, type Aggregation, type Queryable } from '@aihub/core';
import type { ThresholdRule } from '../config/schema';
import { aggregatePoints } from './aggregate';
import { labelsKey, type Labels } from '../types/labels';

/** One value per matched series: what a threshold rule compares. */
export interface SeriesValue {
  labels: Labels;
  value: number;
}

interface Selection {
  metric: string;
  matchers: Labels;
  aggregation: Aggregation;
  windowMs: number;
  offsetMs: number;
  lastPoints?: number;
  by?: string[];
}

// A bucket wider than any epoch-ms timestamp: core's bucketed query then returns the whole
// window as one bucket, so the aggregation runs in SQL over exactly [from, to].
const WHOLE_WINDOW_STEP_MS = 1e13;
const ADDITIVE_SIGNALS = new Set(['llm_requests', 'llm_tokens', 'llm_cost_usd']);

function isAdditive(sel: Selection): boolean {
  return isLlmSignal(sel.metric)
    ? ADDITIVE_SIGNALS.has(sel.metric)
    : sel.aggregation === 'sum' || sel.aggregation === 'count';
}

/** Aggregated value per series over the selection's window, computed in SQL where possible. */
async function aggregateSelection(
  db: Queryable,
  sel: Selection,
  nowMs: number,
): Promise<Map<string, SeriesValue>> {
  const toMs = nowMs - sel.offsetMs;
  const fromMs = toMs - sel.windowMs;
  const out = new Map<string, SeriesValue>();
  if (sel.lastPoints === undefined || isLlmSignal(sel.metric)) {
    const res = await queryRange(db, {
      name: sel.metric,
      matchers: sel.matchers,
      fromMs,
      toMs,
      stepMs: WHOLE_WINDOW_STEP_MS,
      agg: sel.aggregation,
      by: sel.by,
    });
    for (const s of res.series) {
      const p = s.points[s.points.length - 1];
      if (p) out.set(labelsKey(s.labels), { labels: s.labels, value: p[1] });
    }
    return out;
  }
  for (const [key, s] of await rawSelection(db, sel, nowMs)) {
    const v = aggregatePoints(sel.aggregation, s.points.slice(-sel.lastPoints));
    if (v !== null) out.set(key, { labels: s.labels, value: v });
  }
  return out;
}

async function rawSelection(
  db: Queryable,
  sel: Selection,
  nowMs: number,
): Promise<Map<string, { labels: Labels; points: [number, number][] }>> {
  const toMs = nowMs - sel.offsetMs;
  const res = await queryRange(db, {
    name: sel.metric,
    matchers: sel.matchers,
    fromMs: toMs - sel.windowMs,
    toMs,
    by: sel.by,
  });
  return new Map(res.series.map((s) => [labelsKey(s.labels), { labels: s.labels, points: s.points }]));
}

// A baseline window is judged in this many slices: the share of slices with data is its coverage.
const COVERAGE_SLICES = 24;

/** Per series, the share of the selection's window that holds data (0–1). */
async function windowCoverage(db: Queryable, sel: Selection, nowMs: number): Promise<Map<string, number>> {
  const toMs = nowMs - sel.offsetMs;
  const stepMs = Math.ceil(sel.windowMs / COVERAGE_SLICES);
  const res = await queryRange(db, {
    name: sel.metric,
    matchers: sel.matchers,
    fromMs: toMs - sel.windowMs,
    toMs,
    stepMs,
    agg: 'count',
    by: sel.by,
  });
  return new Map(
    res.series.map((s) => [labelsKey(s.labels), Math.min(1, s.points.length / COVERAGE_SLICES)]),
  );
}

/**
 * Evaluates a threshold rule's expression at nowMs: the aggregated metric per series, or a
 * ratio against `divide_by` (another metric, an earlier window, or the same series' own
 * aggregate). Additive quantities (sums, counts, requests, tokens, cost) in a denominator
 * with a different window are scaled to the rule's window, so "cost of the last hour against
 * the last day" compares per-hour figures. A zero or missing denominator gives no value.
 */
export async function thresholdRuleValues(
  db: Queryable,
  rule: ThresholdRule,
  nowMs: number,
): Promise<SeriesValue[]> {
  const num: Selection = {
    metric: rule.metric,
    matchers: rule.matchers,
    aggregation: rule.aggregation,
    windowMs: rule.window,
    offsetMs: 0,
    lastPoints: rule.last_points,
    by: rule.by,
  };
  if (!rule.divide_by) return [...(await aggregateSelection(db, num, nowMs)).values()];
  const d = rule.divide_by;
  const den: Selection = {
    metric: d.metric ?? num.metric,
    matchers: d.matchers ?? num.matchers,
    aggregation: d.aggregation ?? num.aggregation,
    windowMs: d.window ?? num.windowMs,
    offsetMs: d.offset,
    lastPoints: d.window === undefined && d.offset === 0 ? num.lastPoints : undefined,
    by: num.by,
  };
  const out: SeriesValue[] = [];
  if (d.pointwise) {
    const [a, b] = await Promise.all([
      rawSelection(db, { ...num, lastPoints: undefined }, nowMs),
      rawSelection(db, den, nowMs),
    ]);
    for (const [key, s] of a) {
      const other = b.get(key);
      if (!other) continue;
      const byTime = new Map(other.points.map(([t, v]) => [t + den.offsetMs, v]));
      const ratios: [number, number][] = [];
      for (const [t, v] of s.points) {
        const dv = byTime.get(t);
        if (dv !== undefined && dv !== 0) ratios.push([t, v / dv]);
      }
      const v = aggregatePoints(num.aggregation, num.lastPoints ? ratios.slice(-num.lastPoints) : ratios);
      if (v !== null) out.push({ labels: s.labels, value: v });
    }
    return out;
  }
  // Sequential on purpose: PGlite has one connection, and a pool gains little for two queries.
  const a = await aggregateSelection(db, num, nowMs);
  const b = await aggregateSelection(db, den, nowMs);
  const scale = isAdditive(den) && den.windowMs !== num.windowMs ? num.windowMs / den.windowMs : 1;
  const isBaseline = den.windowMs !== num.windowMs || den.offsetMs !== 0;
  const judge = isBaseline && d.min_coverage > 0;
  const numCoverage = judge ? await windowCoverage(db, num, nowMs) : undefined;
  const denCoverage = judge ? await windowCoverage(db, den, nowMs) : undefined;
  for (const [key, s] of a) {
    const dv = b.get(key)?.value;
    if (dv === undefined || dv === 0) continue;
    // Not enough history yet: the baseline holds less than min_coverage of the data the judged window holds.
    if (
      numCoverage &&
      denCoverage &&
      (denCoverage.get(key) ?? 0) < d.min_coverage * (numCoverage.get(key) ?? 0)
    ) {
      continue;
    }
    out.push({ labels: s.labels, value: s.value / (dv * scale) });
  }
  return out;
}
