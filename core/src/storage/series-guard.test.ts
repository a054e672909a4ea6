import { createTestStorage, type TestStorage } from '../testing/databases';
import type { Database } from './database';
import { SeriesLimitError } from './series-guard';
import { BatchWriter } from './writer';
import type { RowBatch } from '../model/rows';

const batch = (names: string[], t: number): RowBatch => ({
  samples: names.map((n) => ({ name: n, labels: { job: 'x' }, timeMs: t, value: 1 })),
  llm: [],
  training: [],
});
const names = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `m_${from + i}`);

describe('the cardinality guard in the writer (MAX_SERIES)', () => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    db = await storage.openMigrated();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('new series past the limit are refused whole; known ones flow; a new writer counts what is stored', async () => {
    const writer = new BatchWriter(db, { maxSeries: 10 });
    await writer.write({ batch: batch(names(0, 8), 1000), accepted: 8 });
    await expect(writer.write({ batch: batch(names(5, 12), 2000), accepted: 7 })).rejects.toBeInstanceOf(
      SeriesLimitError,
    );
    const count = async (sql: string) => Number((await db.query<{ n: string }>(sql))[0].n);
    expect(await count('SELECT count(*) AS n FROM metric_series')).toBe(8);
    expect(await count('SELECT count(*) AS n FROM metric_samples')).toBe(8); // nothing of the refused batch
    await writer.write({ batch: batch(names(0, 10), 3000), accepted: 10 }); // 8 known + 2 new = 10: fits
    await writer.close();

    // A fresh writer (a restart, an empty id cache) still knows the 10 stored series.
    const again = new BatchWriter(db, { maxSeries: 10 });
    await again.write({ batch: batch(names(0, 10), 4000), accepted: 10 });
    const refused = await again.write({ batch: batch(['m_new'], 5000), accepted: 1 }).catch((e) => e);
    expect(refused).toBeInstanceOf(SeriesLimitError);
    expect(refused.series).toBe('m_new{job="x"}');
    await again.close();
    expect(await count('SELECT count(*) AS n FROM metric_series')).toBe(10);
  });
});
