import type { Queryable } from './database';
import { aggregateSql, type Aggregation } from './queries';

/**
 * Reads that rule evaluation makes over many series at once: a rule asks one question of every
 * series it selects, in pages of bounded size, never one query per series. On PGlite each query
 * runs on the main thread, so every page is kept small enough not to stall serving.
 */

export interface SelectedSeries {
  id: number;
  labels: Record<string, string>;
}

/**
 * The series named `name` whose labels contain `matchers`, oldest first (by id, so a cap keeps
 * the same series from one evaluation to the next): at most `limit` of them with an id above
 * `afterId` (keyset pages).
 */
export async function selectSeries(
  db: Queryable,
  name: string,
  matchers: Record<string, string>,
  limit: number,
  afterId = 0,
): Promise<SelectedSeries[]> {
  const rows = await db.query<{ id: string | number; labels: Record<string, string> }>(
    `SELECT id, labels FROM metric_series WHERE name = $1 AND labels @> $2::jsonb AND id > $3
     ORDER BY id LIMIT $4`,
    [name, JSON.stringify(matchers), afterId, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), labels: r.labels }));
}

/** How many series named `name` have labels containing `matchers`. */
export async function countSeries(
  db: Queryable,
  name: string,
  matchers: Record<string, string>,
): Promise<number> {
  const rows = await db.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM metric_series WHERE name = $1 AND labels @> $2::jsonb`,
    [name, JSON.stringify(matchers)],
  );
  return Number(rows[0].n);
}

/** Where a reader continues in one series: points strictly after afterMs. */
export interface SeriesCursor {
  id: number;
  afterMs: number;
}

export interface PointsAfter {
  /** Points per series id, in time order; series with no new points are absent. */
  points: Map<number, [number, number][]>;
  /**
   * How many cursors (from the start of the list) were answered completely. Less than the
   * list's length when the row budget ran out: ask again from there.
   */
  answered: number;
}

/**
 * For each cursor, the newest `perSeries` points after its afterMs up to toMs (older ones beyond
 * that are skipped: a model keeps only so much history), in one query. At most `maxRows` rows
 * come back; a series cut by that budget is left out entirely and counted as not answered.
 */
export async function readPointsAfter(
  db: Queryable,
  cursors: SeriesCursor[],
  toMs: number,
  opts: { perSeries: number; maxRows: number },
): Promise<PointsAfter> {
  const points = new Map<number, [number, number][]>();
  if (!cursors.length) return { points, answered: 0 };
  const perSeries = Math.min(opts.perSeries, opts.maxRows);
  const rows = await db.query<{ ord: number; id: string | number; t: number | string; v: number }>(
    `SELECT c.ord, c.id, p.t, p.v
     FROM unnest($1::bigint[], $2::float8[]) WITH ORDINALITY AS c(id, after_ms, ord)
     CROSS JOIN LATERAL (
       SELECT date_part('epoch', m.time) * 1000 AS t, m.value AS v
       FROM metric_samples m
       WHERE m.series_id = c.id AND m.time > to_timestamp(c.after_ms / 1000.0)
         AND m.time <= to_timestamp($3 / 1000.0)
       ORDER BY m.time DESC LIMIT $4) p
     ORDER BY c.ord, p.t LIMIT $5`,
    [cursors.map((c) => c.id), cursors.map((c) => c.afterMs), toMs, perSeries, opts.maxRows + 1],
  );
  let answered = cursors.length;
  if (rows.length > opts.maxRows) {
    // The series of the row past the budget is cut short: it and those after it are not answered.
    // (perSeries <= maxRows, so at least the first series always is.)
    answered = Number(rows[opts.maxRows].ord) - 1;
  }
  for (const r of rows) {
    if (Number(r.ord) > answered) break;
    const id = Number(r.id);
    let list = points.get(id);
    if (!list) points.set(id, (list = []));
    list.push([Math.round(Number(r.t)), Number(r.v)]);
  }
  return { points, answered };
}

/**
 * Per series id, `agg` over its samples in [fromMs, toMs] (series with no samples there are
 * absent), in one query driven by the ids so that it reads only their index ranges.
 */
export async function aggregateSeries(
  db: Queryable,
  ids: number[],
  fromMs: number,
  toMs: number,
  agg: Aggregation,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!ids.length) return out;
  const rows = await db.query<{ id: string | number; v: number | null }>(
    `SELECT c.id, a.v FROM unnest($1::bigint[]) WITH ORDINALITY AS c(id, ord)
     CROSS JOIN LATERAL (
       SELECT ${aggregateSql(agg)} AS v, count(*) AS n FROM metric_samples m
       WHERE m.series_id = c.id AND m.time >= to_timestamp($2 / 1000.0) AND m.time <= to_timestamp($3 / 1000.0)) a
     WHERE a.n > 0 ORDER BY c.ord`,
    [ids, fromMs, toMs],
  );
  for (const r of rows) if (r.v !== null) out.set(Number(r.id), Number(r.v));
  return out;
}
