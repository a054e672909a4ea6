import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Client } from 'pg';
import type { Database } from '../storage/database';
import { openDatabase, type StorageConfig } from '../storage/open';
import { migrate } from '../storage/migrate';
import { setupRetention } from '../storage/retention';
import type { TimescaleMode } from '../storage/timescale';

/**
 * Test helpers: a fresh database per test on each driver. PostgreSQL comes from
 * TEST_DATABASE_URL and TimescaleDB from TEST_TIMESCALEDB_URL, which the jest global setup
 * points at ephemeral clusters; a test asking for a server without its URL fails, never skips.
 */
export type TestDriver = 'pglite' | 'postgres' | 'timescaledb';

export interface TestStorage {
  driver: TestDriver;
  config: StorageConfig;
  /** TIMESCALEDB for this storage: on for the TimescaleDB server, off for plain PostgreSQL. */
  timescaledb: TimescaleMode;
  /** The environment a service process needs to run on this storage. */
  env: Record<string, string>;
  open(): Promise<Database>;
  /** Opens, migrates and applies the TimescaleDB setup when the driver is timescaledb. */
  openMigrated(): Promise<Database>;
  cleanup(): Promise<void>;
}

/**
 * Every driver the storage-facing suites run on. TimescaleDB is in the list whenever the global
 * setup provided it (always under CI=true; otherwise it says why not).
 */
export const TEST_DRIVERS: readonly TestDriver[] = [
  'pglite',
  'postgres',
  ...(process.env.TEST_TIMESCALEDB_URL ? (['timescaledb'] as const) : []),
];

// Test data is often months old: a retention policy would drop it behind the test's back.
const TEST_RETENTION_DAYS = 36_500;

export async function createTestStorage(driver: TestDriver): Promise<TestStorage> {
  const { config, cleanup } =
    driver === 'pglite'
      ? pgliteDir()
      : await serverDatabase(
          driver === 'timescaledb' ? 'TEST_TIMESCALEDB_URL' : 'TEST_DATABASE_URL',
          driver === 'timescaledb' ? 'TimescaleDB' : 'PostgreSQL',
        );
  const timescaledb: TimescaleMode = driver === 'timescaledb' ? 'on' : 'off';
  const env: Record<string, string> = {
    DATA_DIR: config.dataDir,
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
    TIMESCALEDB: timescaledb,
    RETENTION_DAYS: String(TEST_RETENTION_DAYS),
  };
  return {
    driver,
    config,
    timescaledb,
    env,
    open: () => openDatabase(config),
    async openMigrated() {
      const db = await openDatabase(config);
      await migrate(db);
      await setupRetention(db, { retentionDays: TEST_RETENTION_DAYS, compressAfterDays: 7, timescaledb });
      return db;
    },
    cleanup,
  };
}

function pgliteDir(): { config: StorageConfig; cleanup(): Promise<void> } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-pglite-'));
  return {
    config: { dataDir },
    async cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new database on the test server named by urlVariable, dropped again by cleanup(). */
async function serverDatabase(
  urlVariable: string,
  what: string,
): Promise<{ config: StorageConfig; cleanup(): Promise<void> }> {
  const adminUrl = process.env[urlVariable];
  if (!adminUrl) {
    throw new Error(`${urlVariable} is not set: run the tests through jest (global setup starts ${what})`);
  }
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    config: { databaseUrl: url.toString(), dataDir: os.tmpdir() },
    cleanup: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
