import { createTestStorage, type TestStorage } from '../testing/databases';
import type { Database } from './database';
import { openPostgresWriterThread, type WriteConnection } from './postgres-writer-thread';
import { BatchWriter } from './writer';
import { encodeSamplesBinary } from './copy-binary';

const T0 = Date.UTC(2026, 0, 17, 15, 0, 0);

describe('the batch writer on its own PostgreSQL thread', () => {
  let storage: TestStorage;
  let db: Database;
  let thread: WriteConnection;

  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    db = await storage.openMigrated();
    thread = await openPostgresWriterThread({ url: storage.config.databaseUrl! });
  });
  afterAll(async () => {
    await thread.close();
    await db.close();
    await storage.cleanup();
  });

  test('commits samples, series and idempotency keys, and answers a retried key from the table', async () => {
    const writer = new BatchWriter(thread);
    const samples = Array.from({ length: 5000 }, (_, i) => ({
      name: 'thread_metric',
      labels: { shard: String(i % 7) },
      timeMs: T0 + i,
      value: i / 2,
    }));
    const batch = { samples, llm: [], training: [] };
    expect(await writer.write({ batch, accepted: 5000, idempotencyKey: 'k-thread' })).toEqual({
      accepted: 5000,
      duplicate: false,
    });
    expect(await writer.write({ batch, accepted: 5000, idempotencyKey: 'k-thread' })).toEqual({
      accepted: 5000,
      duplicate: true,
    });
    const [row] = await db.query<{ n: number; series: number; sum: number; first: Date }>(
      `SELECT count(*)::int AS n, count(DISTINCT series_id)::int AS series, sum(value)::float8 AS sum,
              min(time) AS first FROM metric_samples`,
    );
    expect(row).toEqual({ n: 5000, series: 7, sum: (4999 * 5000) / 4, first: new Date(T0) });
    await writer.close();
  });

  test('COPY buffers come back from the thread and carry the next batch', async () => {
    const own = await openPostgresWriterThread({ url: storage.config.databaseUrl! });
    const writer = new BatchWriter(own);
    const batch = (from: number) => ({
      samples: Array.from({ length: 5000 }, (_, i) => ({
        name: 'spare_metric',
        labels: {},
        timeMs: T0 + from + i,
        value: 1,
      })),
      llm: [],
      training: [],
    });
    expect(own.spareCopyBuffers).toBe(0);
    await writer.write({ batch: batch(0), accepted: 5000 });
    expect(own.spareCopyBuffers).toBe(1); // 190 kB went to the thread and came back
    await writer.write({ batch: batch(5000), accepted: 5000 });
    expect(own.spareCopyBuffers).toBe(1); // the same one again, not a second
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM metric_samples s JOIN metric_series m ON m.id = s.series_id WHERE m.name = 'spare_metric'",
    );
    expect(row.n).toBe(10_000);
    await writer.close();
    await own.close();
  });

  test('a failing statement rolls its transaction back and names the PostgreSQL error', async () => {
    const err = await thread
      .transaction(async (tx) => {
        await tx.query("INSERT INTO metric_series (name, labels) VALUES ('rolled_back', '{}')");
        await tx.query('SELECT * FROM no_such_table');
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ message: expect.stringContaining('no_such_table'), code: '42P01' });
    expect(await db.query("SELECT 1 FROM metric_series WHERE name = 'rolled_back'")).toEqual([]);
    // The connection went back to the pool clean: the next transaction works.
    expect(await thread.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([
      { one: 1 },
    ]);
  });

  test('a COPY or script that fails rolls its transaction back: nothing of it is stored', async () => {
    const badCopy = thread.transaction(async (tx) => {
      await tx.query("INSERT INTO metric_series (name, labels) VALUES ('before_bad_copy', '{}')");
      await tx.copyBinary('metric_samples', ['time', 'series_id', 'value'], Buffer.from('not a COPY stream'));
      return 'acknowledged';
    });
    await expect(badCopy).rejects.toThrow(/COPY|binary|signature/i);
    const badExec = thread.transaction(async (tx) => {
      await tx.query("INSERT INTO metric_series (name, labels) VALUES ('before_bad_exec', '{}')");
      await tx.exec('SELECT 1; SELECT * FROM no_such_table');
      return 'acknowledged';
    });
    await expect(badExec).rejects.toThrow(/no_such_table/);
    expect(
      await db.query("SELECT name FROM metric_series WHERE name IN ('before_bad_copy', 'before_bad_exec')"),
    ).toEqual([]);
  });

  test('a COPY held back until COMMIT commits with it, or fails the transaction and stores nothing', async () => {
    const [series] = await db.query<{ id: string }>(
      "INSERT INTO metric_series (name, labels) VALUES ('at_commit', '{}') RETURNING id",
    );
    const good = encodeSamplesBinary([T0, T0 + 1], [Number(series.id), Number(series.id)], [1, 2]);
    // Statements go out without waiting for BEGIN; they still run inside the transaction.
    const result = await thread.transaction(async (tx) => {
      tx.copyBinaryAtCommit!('metric_samples', ['time', 'series_id', 'value'], good);
      await tx.query("INSERT INTO metric_series (name, labels) VALUES ('with_at_commit', '{}')");
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(
      await db.query('SELECT value FROM metric_samples WHERE series_id = $1 ORDER BY time', [series.id]),
    ).toEqual([{ value: 1 }, { value: 2 }]);
    const bad = thread.transaction(async (tx) => {
      await tx.query("INSERT INTO metric_series (name, labels) VALUES ('before_bad_at_commit', '{}')");
      tx.copyBinaryAtCommit!(
        'metric_samples',
        ['time', 'series_id', 'value'],
        Buffer.from('not a COPY stream'),
      );
      return 'acknowledged';
    });
    await expect(bad).rejects.toThrow(/COPY|binary|signature/i);
    expect(await db.query("SELECT name FROM metric_series WHERE name = 'before_bad_at_commit'")).toEqual([]);
    // The connection it broke is not handed out again: the next transaction works.
    expect(await thread.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });

  test('a statement held back until COMMIT runs after the COPYs and before COMMIT, or fails the transaction', async () => {
    const [series] = await db.query<{ id: string }>(
      "INSERT INTO metric_series (name, labels) VALUES ('query_at_commit', '{}') RETURNING id",
    );
    const rows = encodeSamplesBinary([T0, T0 + 1], [Number(series.id), Number(series.id)], [1, 2]);
    // It sees the held-back COPY's rows: it ran after them, inside the transaction.
    await thread.transaction(async (tx) => {
      tx.copyBinaryAtCommit!('metric_samples', ['time', 'series_id', 'value'], rows);
      tx.queryAtCommit!(
        "INSERT INTO metric_series (name, labels) SELECT 'seen_' || count(*), '{}' FROM metric_samples WHERE series_id = $1",
        [series.id],
      );
    });
    expect(await db.query("SELECT name FROM metric_series WHERE name LIKE 'seen_%'")).toEqual([
      { name: 'seen_2' },
    ]);
    const bad = thread.transaction(async (tx) => {
      await tx.query("INSERT INTO metric_series (name, labels) VALUES ('before_bad_query_at_commit', '{}')");
      tx.queryAtCommit!('SELECT pg_notify($1, $2)', [null, 'x']);
      return 'acknowledged';
    });
    await expect(bad).rejects.toThrow(/channel name cannot be empty/);
    expect(
      await db.query("SELECT name FROM metric_series WHERE name = 'before_bad_query_at_commit'"),
    ).toEqual([]);
    expect(await thread.transaction((tx) => tx.query('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
  });

  test('once closed, it refuses work instead of hanging', async () => {
    const other = await openPostgresWriterThread({ url: storage.config.databaseUrl! });
    await other.close();
    await expect(other.transaction(async () => undefined)).rejects.toThrow(/writer thread/);
  });
});
