import path from 'path';
import type { Database } from './database';
import { openPGlite } from './pglite';
import { openPostgres } from './postgres';

export interface StorageConfig {
  /** PostgreSQL/TimescaleDB server; unset → PGlite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  maxConnections?: number;
}

export async function openDatabase(config: StorageConfig): Promise<Database> {
  if (config.databaseUrl)
    return openPostgres({ url: config.databaseUrl, maxConnections: config.maxConnections });
  return openPGlite(path.resolve(config.dataDir));
}
