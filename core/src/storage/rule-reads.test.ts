import { createTestStorage, TEST_DRIVERS, type TestStorage } from '../testing/databases';
import type { Database } from './database';
import { BatchWriter } from './writer';
import { aggregateSeries, countSeries, readPointsAfter, selectSeries } from './rule-reads';

const T0 = Date.UTC(2026, 0, 17, 15, 0, 0);

describe.each(TEST_DRIVERS)('rule reads on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.openMigrated();
    const samples = [];
    // Series s0…s9; series i has i + 1 points, one per second from T0.
    for (let i = 0; i < 10; i++)
      for (let k = 0; k <= i; k++)
        samples.push({
          name: 'm',
          labels: { s: `s${i}`, even: String(i % 2 === 0) },
          timeMs: T0 + k * 1000,
          value: k,
        });
    const writer = new BatchWriter(db);
    await writer.write({ batch: { samples, llm: [], training: [] }, accepted: samples.length });
    await writer.close();
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('selectSeries lists the oldest first in keyset pages; countSeries counts them all', async () => {
    const first = await selectSeries(db, 'm', { even: 'true' }, 3);
    expect(first.map((s) => s.labels.s)).toEqual(['s0', 's2', 's4']);
    const next = await selectSeries(db, 'm', { even: 'true' }, 3, first[2].id);
    expect(next.map((s) => s.labels.s)).toEqual(['s6', 's8']);
    expect(await countSeries(db, 'm', { even: 'true' })).toBe(5);
  });

  test('readPointsAfter answers whole series within its row budget, and the rest on the next call', async () => {
    const series = await selectSeries(db, 'm', {}, 100);
    const cursors = series.map((s) => ({ id: s.id, afterMs: T0 - 1 }));
    const got = new Map<number, [number, number][]>();
    let from = 0;
    let calls = 0;
    while (from < cursors.length) {
      const r = await readPointsAfter(db, cursors.slice(from), T0 + 60_000, { perSeries: 100, maxRows: 12 });
      expect(r.answered).toBeGreaterThan(0);
      for (const [id, pts] of r.points) got.set(id, pts);
      from += r.answered;
      calls++;
    }
    expect(calls).toBeGreaterThan(3); // 55 points in budgets of 12
    series.forEach((s, i) =>
      expect(got.get(s.id)).toEqual(Array.from({ length: i + 1 }, (_, k) => [T0 + k * 1000, k])),
    );
  });

  test('readPointsAfter reads strictly after each cursor and keeps only the newest perSeries points', async () => {
    const [s9] = (await selectSeries(db, 'm', { s: 's9' }, 1)).slice(-1);
    const [s3] = await selectSeries(db, 'm', { s: 's3' }, 1);
    const r = await readPointsAfter(
      db,
      [
        { id: s9.id, afterMs: T0 + 2000 },
        { id: s3.id, afterMs: T0 + 3000 },
      ],
      T0 + 8000,
      { perSeries: 4, maxRows: 100 },
    );
    expect(r.answered).toBe(2);
    expect(r.points.get(s9.id)).toEqual([5, 6, 7, 8].map((k) => [T0 + k * 1000, k]));
    expect(r.points.has(s3.id)).toBe(false);
  });

  test('aggregateSeries: one value per series id over the window, none for a series without data there', async () => {
    const series = await selectSeries(db, 'm', {}, 100);
    const max = await aggregateSeries(
      db,
      series.map((s) => s.id),
      T0 + 5000,
      T0 + 60_000,
      'max',
    );
    expect(series.map((s) => max.get(s.id) ?? null)).toEqual([null, null, null, null, null, 5, 6, 7, 8, 9]);
    const count = await aggregateSeries(db, [series[9].id], T0, T0 + 60_000, 'count');
    expect(count.get(series[9].id)).toBe(10);
  });
});
