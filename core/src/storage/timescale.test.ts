import { ConfigError } from '../config/env';
import { createTestStorage, TEST_DRIVERS, type TestStorage } from '../testing/databases';
import type { Database } from './database';
import { migrate } from './migrate';
import { migrations } from './migrations';
import { queryRange } from './queries';
import { setupRetention, timescaleSetupSql } from './retention';
import { BatchWriter } from './writer';
import { parseTimescaleMode } from './timescale';

const options = { retentionDays: 36_500, compressAfterDays: 7 };

async function openPlain(storage: TestStorage): Promise<Database> {
  const db = await storage.open();
  await migrate(db);
  return db;
}

const extensionCreated = async (db: Database) =>
  (await db.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).length > 0;

test('TIMESCALEDB takes auto, on or off and names itself when wrong', () => {
  expect(parseTimescaleMode(undefined)).toBe('auto');
  expect(parseTimescaleMode('ON')).toBe('on');
  expect(() => parseTimescaleMode('yes')).toThrow(/TIMESCALEDB must be auto, on or off, got "yes"/);
});

// The plain test server has the extension installed (the machine has TimescaleDB) but not in
// shared_preload_libraries: the state right after installing the package, before timescaledb-tune.
describe('a PostgreSQL server with timescaledb installed but not preloaded', () => {
  let storage: TestStorage;
  let db: Database;
  beforeEach(async () => {
    storage = await createTestStorage('postgres');
    db = await openPlain(storage);
  });
  afterEach(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('auto carries on with plain tables and one warning that says why', async () => {
    const warnings: string[] = [];
    const mode = await setupRetention(db, { ...options, timescaledb: 'auto', warn: (m) => warnings.push(m) });
    expect(mode).toBe('job');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /TimescaleDB not used, carrying on with plain tables: .*shared_preload_libraries/,
    );
    expect(await extensionCreated(db)).toBe(false);
  });

  test('on refuses with that reason instead of a driver error', async () => {
    const err = await setupRetention(db, { ...options, timescaledb: 'on' }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(
      /^TIMESCALEDB=on but TimescaleDB cannot be used: .*not in shared_preload_libraries/,
    );
  });

  test('off never touches it and says nothing', async () => {
    const warnings: string[] = [];
    expect(await setupRetention(db, { ...options, timescaledb: 'off', warn: (m) => warnings.push(m) })).toBe(
      'job',
    );
    expect(warnings).toEqual([]);
    expect(await extensionCreated(db)).toBe(false);
  });
});

test('on PGlite, TIMESCALEDB=on refuses and auto stays quiet', async () => {
  const storage = await createTestStorage('pglite');
  const db = await openPlain(storage);
  try {
    const warnings: string[] = [];
    expect(await setupRetention(db, { ...options, warn: (m) => warnings.push(m) })).toBe('job');
    expect(warnings).toEqual([]);
    await expect(setupRetention(db, { ...options, timescaledb: 'on' })).rejects.toThrow(
      /PGlite has no timescaledb/,
    );
  } finally {
    await db.close();
    await storage.cleanup();
  }
});

(TEST_DRIVERS.includes('timescaledb') ? describe : describe.skip)('a TimescaleDB server', () => {
  test('auto creates the extension: hypertables, policies and continuous aggregates', async () => {
    const storage = await createTestStorage('timescaledb');
    const db = await openPlain(storage);
    try {
      const warnings: string[] = [];
      expect(await setupRetention(db, { ...options, warn: (m) => warnings.push(m) })).toBe('timescaledb');
      // A restart applies it again without harm.
      expect(await setupRetention(db, options)).toBe('timescaledb');
      expect(warnings).toEqual([]);
      const hypertables = await db.query<{ hypertable_name: string }>(
        "SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema = 'public' ORDER BY 1",
      );
      expect(hypertables.map((h) => h.hypertable_name)).toEqual(['llm_requests', 'metric_samples']);
      const caggs = await db.query<{ view_name: string; materialized_only: boolean }>(
        'SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY 1',
      );
      expect(caggs).toEqual(
        [
          'llm_latency_hist_1m',
          'llm_rollup_1m',
          'llm_ttft_hist_1m',
          'metric_rollup_1h',
          'metric_rollup_1m',
          'metric_rollup_5m',
        ].map(
          (view_name) => ({ view_name, materialized_only: false }), // real-time aggregation
        ),
      );
    } finally {
      await db.close();
      await storage.cleanup();
    }
  });
});

(TEST_DRIVERS.includes('timescaledb') ? describe : describe.skip)('an existing TimescaleDB install', () => {
  test('upgrades: hypertables from before the rollups get continuous aggregates that match raw reads', async () => {
    const storage = await createTestStorage('timescaledb');
    const db = await storage.open();
    try {
      // The previous release: migrations 1–3, then hypertables and policies.
      await migrate(db, migrations.slice(0, 3));
      await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
      for (const sql of timescaleSetupSql(options)) await db.query(sql);
      const t0 = Date.UTC(2026, 6, 1, 8, 0, 30);
      const writer = new BatchWriter(db);
      const samples = Array.from({ length: 720 }, (_, i) => ({
        name: 'old_cpu',
        labels: {},
        timeMs: t0 + i * 10_000,
        value: i % 13,
      }));
      await writer.write({ batch: { samples, llm: [], training: [] }, accepted: samples.length });
      await writer.close();
      // This release on the same database.
      expect(await migrate(db)).toEqual(migrations.slice(3).map((m) => m.version));
      expect(await setupRetention(db, options)).toBe('timescaledb');
      const q = {
        name: 'old_cpu',
        fromMs: t0,
        toMs: t0 + 2 * 3_600_000,
        stepMs: 3_600_000,
        agg: 'sum' as const,
      };
      const rolled = await queryRange(db, q);
      expect(rolled.series[0].points).toEqual(
        (await queryRange(db, { ...q, rollups: false })).series[0].points,
      );
      expect(rolled.series[0].points.map((p) => p[1]).reduce((a, b) => a + b, 0)).toBe(
        samples.reduce((a, s) => a + s.value, 0),
      );
    } finally {
      await db.close();
      await storage.cleanup();
    }
  });
});
