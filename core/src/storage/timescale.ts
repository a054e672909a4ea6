import { ConfigError } from '../config/env';
import type { Database } from './database';

/** TIMESCALEDB: auto uses the extension when it can be created, on requires it, off never touches it. */
export const TIMESCALE_MODES = ['auto', 'on', 'off'] as const;
export type TimescaleMode = (typeof TIMESCALE_MODES)[number];

export function parseTimescaleMode(raw: string | undefined): TimescaleMode {
  const v = (raw ?? '').trim().toLowerCase() || 'auto';
  if ((TIMESCALE_MODES as readonly string[]).includes(v)) return v as TimescaleMode;
  throw new ConfigError(`TIMESCALEDB must be auto, on or off, got "${raw}"`);
}

export type TimescaleStatus = { enabled: true; version: string } | { enabled: false; reason: string };

const PRELOAD_HINT =
  "add shared_preload_libraries = 'timescaledb' to postgresql.conf (or run timescaledb-tune) and restart PostgreSQL";

/**
 * Creates the timescaledb extension when the server can load it, and otherwise says why not
 * in words a user can act on (not installed, not preloaded, no privilege) instead of the raw
 * driver error. Never throws for an unusable extension; only for a broken connection.
 */
export async function probeTimescale(db: Database): Promise<TimescaleStatus> {
  if (db.driver !== 'postgres') return { enabled: false, reason: 'PGlite has no timescaledb extension' };
  const preloaded = async () => {
    const [row] = await db.query<{ libs: string }>(
      "SELECT current_setting('shared_preload_libraries') AS libs",
    );
    return /(^|[\s,])"?timescaledb"?($|[\s,])/.test(row?.libs ?? '');
  };
  const [existing] = await db.query<{ v: string }>(
    "SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'",
  );
  if (existing) {
    if (await preloaded()) return { enabled: true, version: existing.v };
    return {
      enabled: false,
      reason: `the timescaledb extension exists in this database but is not preloaded: ${PRELOAD_HINT}`,
    };
  }
  const [available] = await db.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (!available)
    return { enabled: false, reason: 'the timescaledb extension is not installed on the server' };
  if (!(await preloaded()))
    return {
      enabled: false,
      reason: `the timescaledb extension is installed but not in shared_preload_libraries: ${PRELOAD_HINT}`,
    };
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === '42501')
      return {
        enabled: false,
        reason:
          'no privilege to CREATE EXTENSION timescaledb: connect as a superuser once, or run it as one in this database',
      };
    return { enabled: false, reason: `CREATE EXTENSION timescaledb failed: ${e.message ?? String(err)}` };
  }
  const [row] = await db.query<{ v: string }>(
    "SELECT extversion AS v FROM pg_extension WHERE extname = 'timescaledb'",
  );
  return { enabled: true, version: row?.v ?? 'unknown' };
}

/**
 * Applies TIMESCALEDB: off → not enabled, without looking; auto → the probe's answer (the
 * caller warns once with its reason); on → the probe's answer or a ConfigError naming it.
 */
export async function resolveTimescale(db: Database, mode: TimescaleMode): Promise<TimescaleStatus> {
  if (mode === 'off') return { enabled: false, reason: 'TIMESCALEDB=off' };
  const status = await probeTimescale(db);
  if (mode === 'on' && !status.enabled)
    throw new ConfigError(`TIMESCALEDB=on but TimescaleDB cannot be used: ${status.reason}`);
  return status;
}
