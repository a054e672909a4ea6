import {
  aggregateSeries,
  isLlmSignal,
  queryRange,
  type Aggregation,
  type Queryable,
  type RangeQuery,
  type SelectedSeries,
  type SeriesPoints,
} from '@aihub/core';
import type { ThresholdRule } from '../config/schema';
import { aggregatePoints } from './aggregate';
import { labelsKey, type Labels } from '../types/labels';
import { selectCapped } from './series-cap';
import { TimeSlice } from './time-slice';

/** One value per matched series: what a threshold rule compares. */
export interface SeriesValue {
  labels: Labels;
  value: number;
}

/** A rule's values, and how many matched series it left out because of its max_series. */
export interface RuleValues {
  values: SeriesValue[];
  beyondCap: number;
}

interface Selection {
  metric: string;
  matchers: Labels;
  aggregation: Aggregation;
  windowMs: number;
  offsetMs: number;
  lastPoints?: number;
  by?: string[];
  maxSeries: number;
}

// A bucket wider than any epoch-ms timestamp: core's bucketed query then returns the whole
// window as one bucket, so the aggregation runs in SQL over exactly [from, to].
const WHOLE_WINDOW_STEP_MS = 1e13;
const ADDITIVE_SIGNALS = new Set(['llm_requests', 'llm_tokens', 'llm_cost_usd']);
/** Series per query: small enough that one query never holds PGlite's main thread for long. */
export const SERIES_PER_QUERY = 500;
// A baseline window is judged in this many slices: the share of slices with data is its coverage.
const COVERAGE_SLICES = 24;

function isAdditive(sel: Selection): boolean {
  return isLlmSignal(sel.metric)
    ? ADDITIVE_SIGNALS.has(sel.metric)
    : sel.aggregation === 'sum' || sel.aggregation === 'count';
}

/** The selection's window ending at nowMs (minus its offset), as a range query. */
function windowQuery(sel: Selection, nowMs: number): RangeQuery {
  const toMs = nowMs - sel.offsetMs;
  return { name: sel.metric, matchers: sel.matchers, fromMs: toMs - sel.windowMs, toMs, by: sel.by };
}

/**
 * The reads of one evaluation cycle. Rules that read the same selection (high and critical CPU,
 * say) share one answer, and every read goes over the selected series in pages of
 * SERIES_PER_QUERY, pausing between pages so serving goes on.
 */
export class SelectionReads {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly db: Queryable,
    readonly slice: TimeSlice = new TimeSlice(),
  ) {}

  private once<T>(key: unknown[], read: () => Promise<T>): Promise<T> {
    const k = JSON.stringify(key);
    let p = this.memo.get(k) as Promise<T> | undefined;
    if (!p) {
      p = read();
      this.memo.set(k, p);
    }
    return p;
  }

  /** The selection's series (oldest first, at most maxSeries) and how many it leaves out. */
  private selected(sel: Selection): Promise<{ series: SelectedSeries[]; beyondCap: number }> {
    return this.once(['series', sel.metric, sel.matchers, sel.maxSeries], () =>
      selectCapped(this.db, sel.metric, sel.matchers, sel.maxSeries, this.slice),
    );
  }

  /** queryRange over the selection's series, page by page (`by` groups need them all in one query). */
  private async paged(sel: Selection, q: RangeQuery): Promise<{ series: SeriesPoints[]; beyondCap: number }> {
    if (isLlmSignal(sel.metric)) return { series: (await queryRange(this.db, q)).series, beyondCap: 0 };
    const { series: selected, beyondCap } = await this.selected(sel);
    const ids = selected.map((s) => s.id);
    const pageSize = sel.by ? Math.max(ids.length, 1) : SERIES_PER_QUERY;
    const series: SeriesPoints[] = [];
    for (let i = 0; i < ids.length; i += pageSize) {
      await this.slice.checkpoint();
      const res = await queryRange(this.db, { ...q, seriesIds: ids.slice(i, i + pageSize) });
      for (const s of res.series) series.push(s);
    }
    return { series, beyondCap };
  }

  /** Aggregated value per series over the selection's window, computed in SQL where possible. */
  aggregate(sel: Selection, nowMs: number): Promise<{ values: Map<string, SeriesValue>; beyondCap: number }> {
    return this.once(['aggregate', sel, nowMs], async () => {
      const toMs = nowMs - sel.offsetMs;
      const fromMs = toMs - sel.windowMs;
      const values = new Map<string, SeriesValue>();
      if (sel.lastPoints === undefined && !sel.by && !isLlmSignal(sel.metric)) {
        // The common case: one value per series, read by id a page at a time.
        const { series, beyondCap } = await this.selected(sel);
        for (let i = 0; i < series.length; i += SERIES_PER_QUERY) {
          await this.slice.checkpoint();
          const page = series.slice(i, i + SERIES_PER_QUERY);
          const got = await aggregateSeries(
            this.db,
            page.map((s) => s.id),
            fromMs,
            toMs,
            sel.aggregation,
          );
          for (const s of page) {
            const v = got.get(s.id);
            if (v !== undefined) values.set(labelsKey(s.labels), { labels: s.labels, value: v });
          }
        }
        return { values, beyondCap };
      }
      if (sel.lastPoints === undefined || isLlmSignal(sel.metric)) {
        const res = await this.paged(sel, {
          ...windowQuery(sel, nowMs),
          stepMs: WHOLE_WINDOW_STEP_MS,
          agg: sel.aggregation,
        });
        for (const s of res.series) {
          const p = s.points[s.points.length - 1];
          if (p) values.set(labelsKey(s.labels), { labels: s.labels, value: p[1] });
        }
        return { values, beyondCap: res.beyondCap };
      }
      const raw = await this.raw(sel, nowMs);
      for (const [key, s] of raw.series) {
        const v = aggregatePoints(sel.aggregation, s.points.slice(-sel.lastPoints));
        if (v !== null) values.set(key, { labels: s.labels, value: v });
      }
      return { values, beyondCap: raw.beyondCap };
    });
  }

  /** Raw points per series over the selection's window. */
  raw(
    sel: Selection,
    nowMs: number,
  ): Promise<{ series: Map<string, { labels: Labels; points: [number, number][] }>; beyondCap: number }> {
    return this.once(['raw', sel, nowMs], async () => {
      const res = await this.paged(sel, windowQuery(sel, nowMs));
      return {
        series: new Map(res.series.map((s) => [labelsKey(s.labels), { labels: s.labels, points: s.points }])),
        beyondCap: res.beyondCap,
      };
    });
  }

  /** Per series, the share of the selection's window that holds data (0–1). */
  coverage(sel: Selection, nowMs: number): Promise<Map<string, number>> {
    return this.once(['coverage', sel, nowMs], async () => {
      const res = await this.paged(sel, {
        ...windowQuery(sel, nowMs),
        stepMs: Math.ceil(sel.windowMs / COVERAGE_SLICES),
        agg: 'count',
        by: sel.by,
      });
      return new Map(
        res.series.map((s) => [labelsKey(s.labels), Math.min(1, s.points.length / COVERAGE_SLICES)]),
      );
    });
  }
}

/**
 * Evaluates a threshold rule's expression at nowMs: the aggregated metric per series, or a
 * ratio against `divide_by` (another metric, an earlier window, or the same series' own
 * aggregate). Additive quantities (sums, counts, requests, tokens, cost) in a denominator
 * with a different window are scaled to the rule's window, so "cost of the last hour against
 * the last day" compares per-hour figures. A zero or missing denominator gives no value.
 * At most the rule's max_series series (the oldest) are evaluated.
 */
export async function thresholdRuleValues(
  db: Queryable,
  rule: ThresholdRule,
  nowMs: number,
  reads: SelectionReads = new SelectionReads(db),
): Promise<RuleValues> {
  const num: Selection = {
    metric: rule.metric,
    matchers: rule.matchers,
    aggregation: rule.aggregation,
    windowMs: rule.window,
    offsetMs: 0,
    lastPoints: rule.last_points,
    by: rule.by,
    maxSeries: rule.max_series,
  };
  if (!rule.divide_by) {
    const a = await reads.aggregate(num, nowMs);
    return { values: [...a.values.values()], beyondCap: a.beyondCap };
  }
  const d = rule.divide_by;
  const den: Selection = {
    metric: d.metric ?? num.metric,
    matchers: d.matchers ?? num.matchers,
    aggregation: d.aggregation ?? num.aggregation,
    windowMs: d.window ?? num.windowMs,
    offsetMs: d.offset,
    lastPoints: d.window === undefined && d.offset === 0 ? num.lastPoints : undefined,
    by: num.by,
    maxSeries: num.maxSeries,
  };
  const values: SeriesValue[] = [];
  if (d.pointwise) {
    // Sequential on purpose: PGlite has one connection, and a pool gains little for two queries.
    const a = await reads.raw({ ...num, lastPoints: undefined }, nowMs);
    const b = await reads.raw(den, nowMs);
    for (const [key, s] of a.series) {
      const other = b.series.get(key);
      if (!other) continue;
      const byTime = new Map(other.points.map(([t, v]) => [t + den.offsetMs, v]));
      const ratios: [number, number][] = [];
      for (const [t, v] of s.points) {
        const dv = byTime.get(t);
        if (dv !== undefined && dv !== 0) ratios.push([t, v / dv]);
      }
      const v = aggregatePoints(num.aggregation, num.lastPoints ? ratios.slice(-num.lastPoints) : ratios);
      if (v !== null) values.push({ labels: s.labels, value: v });
    }
    return { values, beyondCap: a.beyondCap };
  }
  const a = await reads.aggregate(num, nowMs);
  const b = await reads.aggregate(den, nowMs);
  const scale = isAdditive(den) && den.windowMs !== num.windowMs ? num.windowMs / den.windowMs : 1;
  const isBaseline = den.windowMs !== num.windowMs || den.offsetMs !== 0;
  const judge = isBaseline && d.min_coverage > 0;
  const numCoverage = judge ? await reads.coverage(num, nowMs) : undefined;
  const denCoverage = judge ? await reads.coverage(den, nowMs) : undefined;
  for (const [key, s] of a.values) {
    const dv = b.values.get(key)?.value;
    if (dv === undefined || dv === 0) continue;
    // Not enough history yet: the baseline holds less than min_coverage of the data the judged window holds.
    if (
      numCoverage &&
      denCoverage &&
      (denCoverage.get(key) ?? 0) < d.min_coverage * (numCoverage.get(key) ?? 0)
    ) {
      continue;
    }
    values.push({ labels: s.labels, value: s.value / (dv * scale) });
  }
  return { values, beyondCap: a.beyondCap };
}
