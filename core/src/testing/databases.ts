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
  if (driver === 'pglite') {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-pglite-'));
    const config: StorageConfig = { dataDir };
    return {
      driver,
      config,
      open: () => openDatabase(config),
      async openMigrated() {
        const db = await openDatabase(config);
        await migrate(db);
        return db;
      },
      async cleanup() {
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl)
    throw new Error(
      'TEST_DATABASE_URL is not set: run the tests through jest (global setup starts PostgreSQL)',
    );
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const config: StorageConfig = { databaseUrl: url.toString(), dataDir: os.tmpdir() };
  return {
    driver,
    config,
    open: () => openDatabase(config),
    async openMigrated() {
      const db = await openDatabase(config);
      await migrate(db);
      return db;
    },
    async cleanup() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
