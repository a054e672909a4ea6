import type { Queryable } from '@aihub/core';
import type { Labels } from '../types/labels';

/** One persisted anomaly model: the detector's JSON plus the evaluator's own state for the series. */
export interface StoredModel {
  seriesKey: string;
  labels: Labels;
  model: unknown;
  trainedAt: number;
}

/** Rows per read: restoring a model costs CPU, so they come (and are restored) a page at a time. */
const LOAD_PAGE = 100;
/** Serialised models per write statement (a trained model is 100–200 KB of JSON). */
const SAVE_BYTES = 1_000_000;

/** The stored models of one rule, page by page in series_key order. */
export async function* loadModels(db: Queryable, rule: string): AsyncGenerator<StoredModel[]> {
  let after = '';
  for (;;) {
    const rows = await db.query<{
      series_key: string;
      labels: Labels;
      model: unknown;
      trained_at: string | number;
    }>(
      `SELECT series_key, labels, model, extract(epoch FROM trained_at) * 1000 AS trained_at
       FROM anomaly_models WHERE rule = $1 AND series_key > $2 ORDER BY series_key LIMIT $3`,
      [rule, after, LOAD_PAGE],
    );
    if (!rows.length) return;
    yield rows.map((r) => ({
      seriesKey: r.series_key,
      labels: r.labels,
      model: r.model,
      trainedAt: Number(r.trained_at),
    }));
    if (rows.length < LOAD_PAGE) return;
    after = rows[rows.length - 1].series_key;
  }
}

/** Upserts models in statements of about SAVE_BYTES each. */
export async function saveModels(db: Queryable, rule: string, models: StoredModel[]): Promise<void> {
  let batch: { key: string; labels: string; model: string; trainedAt: number }[] = [];
  let bytes = 0;
  const write = async () => {
    if (!batch.length) return;
    await db.query(
      `INSERT INTO anomaly_models (rule, series_key, labels, model, trained_at, updated_at)
       SELECT $1, k, l, m, to_timestamp(t / 1000.0), now()
       FROM unnest($2::text[], $3::jsonb[], $4::jsonb[], $5::float8[]) AS u(k, l, m, t)
       ON CONFLICT (rule, series_key) DO UPDATE SET labels = EXCLUDED.labels, model = EXCLUDED.model,
         trained_at = EXCLUDED.trained_at, updated_at = now()`,
      [
        rule,
        batch.map((b) => b.key),
        batch.map((b) => b.labels),
        batch.map((b) => b.model),
        batch.map((b) => b.trainedAt),
      ],
    );
    batch = [];
    bytes = 0;
  };
  for (const m of models) {
    const model = JSON.stringify(m.model);
    batch.push({ key: m.seriesKey, labels: JSON.stringify(m.labels), model, trainedAt: m.trainedAt });
    bytes += model.length;
    if (bytes >= SAVE_BYTES) await write();
  }
  await write();
}
