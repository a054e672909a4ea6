import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Client } from 'pg';
import type { Database } from '../storage/database';
import { openDatabase, type StorageConfig } from '../storage/open';
import { migrate } from '../storage/migrate';

/**
 * Test helpers: a fresh database per test on each driver. PostgreSQL comes from
 * TEST_DATABASE_URL, which the jest global setup points at an ephemeral cluster; without it the
 * tests fail rather than skip.
 */
export interface TestStorage {
  driver: 'pglite' | 'postgres';
  config: StorageConfig;
  open(): Promise<Database>;
  /** Opens and migrates. */
  openMigrated(): Promise<Database>;
  cleanup(): Promise<void>;
}

export const TEST_DRIVERS = ['pglite', 'postgres'] as const;

export async function createTestStorage(driver: 'pglite' | 'postgres'): Promise<TestStorage> {
  const { config, cleanup } = driver === 'pglite' ? pgliteDir() : await postgresDatabase();
  return {
    driver,
    config,
    open: () => openDatabase(config),
    async openMigrated() {
      const db = await openDatabase(config);
      await migrate(db);
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

/** A new database on the test server, dropped again by cleanup(). */
async function postgresDatabase(): Promise<{ config: StorageConfig; cleanup(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through jest (global setup starts PostgreSQL)',
    );
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
