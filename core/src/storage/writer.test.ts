import { BatchWriter } from './writer';
import type { Queryable } from './database';
import type { RowBatch } from '../model/rows';

/** A write connection whose transactions stay open until `release()`; it counts what ran. */
function heldConnection() {
  const transactions: { rows: number }[] = [];
  const open: (() => void)[] = [];
  const tx = (record: { rows: number }): Queryable => ({
    // Series resolution: every name is a new series with the next id.
    query: async <R>(sql: string, params?: unknown[]) =>
      (sql.includes('metric_series')
        ? (params![0] as string[]).map((_, i) => ({ ord: i + 1, id: i + 1, inserted: true }))
        : []) as R[],
    exec: async () => {},
    copyBinary: async (_t, _c, data) => {
      record.rows = (data.length - 21) / 38; // header + trailer, 38 bytes per row
      await new Promise<void>((r) => open.push(r));
    },
  });
  return {
    transactions,
    release: () => open.splice(0).forEach((r) => r()),
    db: {
      driver: 'postgres' as const,
      transaction: async <T>(fn: (q: Queryable) => Promise<T>) => {
        const record = { rows: 0 };
        transactions.push(record);
        return fn(tx(record));
      },
    },
  };
}

const batch = (rows: number): RowBatch => ({
  samples: Array.from({ length: rows }, (_, i) => ({
    name: 'm',
    labels: {},
    timeMs: 1_700_000_000_000 + i,
    value: i,
  })),
  llm: [],
  training: [],
});
const settle = () => new Promise((r) => setImmediate(r));

describe('the batch writer', () => {
  test('a second transaction starts only once half a batch waits; what waited goes in one', async () => {
    const conn = heldConnection();
    const writer = new BatchWriter(conn.db, { maxBatchRows: 1000, concurrency: 2 });
    const acks: Promise<unknown>[] = [writer.write({ batch: batch(100), accepted: 100 })];
    await settle();
    expect(conn.transactions).toHaveLength(1); // nothing in flight: the first goes at once
    for (let i = 0; i < 4; i++) acks.push(writer.write({ batch: batch(100), accepted: 100 }));
    await settle();
    expect(conn.transactions).toHaveLength(1); // 400 rows wait: below half of 1,000
    acks.push(writer.write({ batch: batch(100), accepted: 100 }));
    await settle();
    expect(conn.transactions).toHaveLength(2); // 500 wait: they go together
    expect(conn.transactions.map((t) => t.rows)).toEqual([100, 500]);
    conn.release();
    await Promise.all(acks);
    // Idle again: a lone small write is not held back.
    const late = writer.write({ batch: batch(10), accepted: 10 });
    await settle();
    expect(conn.transactions).toHaveLength(3);
    conn.release();
    await expect(late).resolves.toEqual({ accepted: 10, duplicate: false });
    await writer.close();
  });

  test('samples in columns and as rows share one transaction and one series cache', async () => {
    const conn = heldConnection();
    const writer = new BatchWriter(conn.db);
    const columns: RowBatch = {
      samples: [],
      sampleColumns: {
        count: 2,
        keys: ['m\u0001{}', 'n\u0001{"a":"1"}'],
        timesMs: Float64Array.from([1_700_000_000_000, 1_700_000_000_001]),
        values: Float64Array.from([1, 2]),
        names: ['m', 'n'],
      },
      llm: [],
      training: [],
    };
    const first = writer.write({ batch: batch(3), accepted: 3 });
    await settle();
    const both = [
      writer.write({ batch: columns, accepted: 2 }),
      writer.write({ batch: batch(1), accepted: 1 }),
    ];
    conn.release();
    await first;
    await settle();
    conn.release();
    await expect(Promise.all(both)).resolves.toEqual([
      { accepted: 2, duplicate: false },
      { accepted: 1, duplicate: false },
    ]);
    expect(conn.transactions.map((t) => t.rows)).toEqual([3, 3]);
    await writer.close();
  });
});
