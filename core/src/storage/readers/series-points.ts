import type { Queryable } from '../database';

export interface StoredSeries {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/** A training run's series (training_* with its run_id label), by name. */
export async function trainingRunSeries(db: Queryable, runId: string): Promise<StoredSeries[]> {
  return db.query<StoredSeries>(
    `SELECT id::text AS id, name, labels FROM metric_series
     WHERE name LIKE 'training\\_%' AND labels @> $1::jsonb ORDER BY name, id`,
    [JSON.stringify({ run_id: runId })],
  );
}

/**
 * Points of the given series in [fromMs, toMs], keyed by series id: raw, except that a series
 * with more than maxPointsPerSeries points there is averaged into about that many buckets.
 */
export async function seriesPointsInWindow(
  db: Queryable,
  ids: string[],
  fromMs: number,
  toMs: number,
  maxPointsPerSeries: number,
): Promise<Map<string, [number, number][]>> {
  const out = new Map<string, [number, number][]>();
  if (ids.length === 0) return out;
  const counts = await db.query<{ id: string; n: number }>(
    `SELECT series_id::text AS id, count(*)::int AS n FROM metric_samples
     WHERE series_id = ANY($1::bigint[]) AND time >= to_timestamp($2 / 1000.0) AND time <= to_timestamp($3 / 1000.0)
     GROUP BY series_id`,
    [ids, fromMs, toMs],
  );
  const long = new Set(counts.filter((c) => c.n > maxPointsPerSeries).map((c) => c.id));
  const step = Math.max(1, Math.ceil((toMs - fromMs) / maxPointsPerSeries));
  const rows = await db.query<{ id: string; t: string | number; v: number }>(
    `SELECT series_id::text AS id, extract(epoch FROM time) * 1000 AS t, value AS v FROM metric_samples
     WHERE series_id = ANY($1::bigint[]) AND time >= to_timestamp($2 / 1000.0) AND time <= to_timestamp($3 / 1000.0)
     UNION ALL
     SELECT series_id::text, floor(extract(epoch FROM time) * 1000 / $5) * $5, avg(value) FROM metric_samples
     WHERE series_id = ANY($4::bigint[]) AND time >= to_timestamp($2 / 1000.0) AND time <= to_timestamp($3 / 1000.0)
     GROUP BY series_id, 2
     ORDER BY 1, 2`,
    [ids.filter((id) => !long.has(id)), fromMs, toMs, [...long], step],
  );
  for (const r of rows) {
    let points = out.get(r.id);
    if (!points) out.set(r.id, (points = []));
    points.push([Math.round(Number(r.t)), Number(r.v)]);
  }
  return out;
}
