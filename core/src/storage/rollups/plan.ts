/**
 * Which parts of a range read come from which rollup: the widest rollup buckets that lie wholly
 * inside [from, to], narrower ones for the fringes, and raw rows for what is left at the edges.
 * Every piece then falls into exactly one output step, so combining the pieces' partial
 * aggregates gives what the raw path computes over the same rows.
 */
export interface RollupSpan {
  widthMs: number;
  /** bucket >= fromMs AND bucket < toMs */
  fromMs: number;
  toMs: number;
}

export interface RawSpan {
  fromMs: number;
  toMs: number;
  /** time <= toMs when true (the query's own end), else time < toMs. */
  inclusiveEnd: boolean;
}

export interface ReadPlan {
  rollups: RollupSpan[];
  raw: RawSpan[];
}

export const MINUTE_MS = 60_000;
export const FIVE_MINUTES_MS = 5 * MINUTE_MS;
export const HOUR_MS = 3_600_000;
/** Shorter ranges read raw rows: there a rollup saves little, and raw p95s stay exact. */
export const MIN_ROLLUP_RANGE_MS = 15 * MINUTE_MS;

/**
 * Plans a bucketed read of [fromMs, toMs] in steps of stepMs over rollups of the given widths;
 * null when no rollup applies (a step that splits their buckets, or a short range).
 */
export function planRollupRead(
  fromMs: number,
  toMs: number,
  stepMs: number,
  widthsMs: readonly number[],
): ReadPlan | null {
  if (toMs - fromMs < MIN_ROLLUP_RANGE_MS) return null;
  const oneStep = Math.floor(fromMs / stepMs) === Math.floor(toMs / stepMs);
  const usable = widthsMs.filter((w) => oneStep || stepMs % w === 0).sort((a, b) => b - a);
  if (usable.length === 0) return null;
  const plan: ReadPlan = { rollups: [], raw: [] };
  const cover = (from: number, to: number, inclusiveEnd: boolean, widths: number[]): void => {
    if (from > to || (from === to && !inclusiveEnd)) return;
    const [w, ...narrower] = widths;
    if (w === undefined) {
      plan.raw.push({ fromMs: from, toMs: to, inclusiveEnd });
      return;
    }
    const first = Math.ceil(from / w) * w;
    const end = Math.floor(to / w) * w; // buckets starting before end close at or before to
    if (first >= end) return cover(from, to, inclusiveEnd, narrower);
    cover(from, first, false, narrower);
    plan.rollups.push({ widthMs: w, fromMs: first, toMs: end });
    cover(end, to, inclusiveEnd, narrower);
  };
  cover(fromMs, toMs, true, usable);
  return plan.rollups.length ? plan : null;
}

/** SQL condition for a raw span on `column`, with its bounds as parameters pushed onto params. */
export function rawSpanSql(column: string, span: RawSpan, params: unknown[]): string {
  params.push(span.fromMs, span.toMs);
  const a = `$${params.length - 1}`;
  const b = `$${params.length}`;
  return `${column} >= to_timestamp(${a} / 1000.0) AND ${column} ${span.inclusiveEnd ? '<=' : '<'} to_timestamp(${b} / 1000.0)`;
}

/** SQL condition for a rollup span on the bucket column. */
export function rollupSpanSql(span: RollupSpan, params: unknown[]): string {
  params.push(span.fromMs, span.toMs);
  return `bucket >= to_timestamp($${params.length - 1} / 1000.0) AND bucket < to_timestamp($${params.length} / 1000.0)`;
}
