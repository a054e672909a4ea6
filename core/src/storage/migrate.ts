import type { Database } from './database';
import { migrations as allMigrations, type Migration } from './migrations';

// Any constant: serialises migrations across replicas starting at the same time.
const MIGRATION_LOCK_ID = 0x41_48_55_42; // "AHUB"

/** Applies the migrations not applied yet; returns the versions it applied. */
export async function migrate(db: Database, migrations: Migration[] = allMigrations): Promise<number[]> {
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
      if (done.length) return;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    });
  }
  return applied;
}

/** True when every known migration is applied (readiness). */
export async function migrationsComplete(
  db: Database,
  migrations: Migration[] = allMigrations,
): Promise<boolean> {
  const rows = await db.query<{ version: number }>('SELECT version FROM schema_migrations');
  const have = new Set(rows.map((r) => Number(r.version)));
  return migrations.every((m) => have.has(m.version));
}
