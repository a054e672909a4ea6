import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { migrations as allMigrations, type Migration } from './migrations';

// PGlite's first open runs initdb in a second WASM instance: 4–8 s and ~850 MB peak RSS
// (TOOLCHAIN.md). `npm run build` does that once into this template, and a fresh data
// directory starts as a copy of it: a plain file copy, no initdb in the serving process.
// core/dist/pglite-template, seen from both core/src/storage and core/dist/storage.
export const DEFAULT_PGLITE_TEMPLATE = path.resolve(__dirname, '..', '..', 'dist', 'pglite-template');

const STAMP = 'aihub-template.json';

interface Stamp {
  /** The PGlite (and so PostgreSQL) build that wrote the files; another one may not read them. */
  pglite: string;
  /** Migrations applied in the template; later ones apply at start as usual. */
  migrations: string;
}

let cachedVersion: string | undefined;
function pgliteVersion(): string {
  // Its package.json is not exported; it sits one level above the resolved entry (dist/).
  if (cachedVersion) return cachedVersion;
  let dir = path.dirname(require.resolve('@electric-sql/pglite'));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version: string };
      if (pkg.name === '@electric-sql/pglite') return (cachedVersion = pkg.version);
    }
    if (path.dirname(dir) === dir) throw new Error('cannot find the version of @electric-sql/pglite');
    dir = path.dirname(dir);
  }
}

function migrationsHash(migrations: Migration[]): string {
  const h = crypto.createHash('sha256');
  for (const m of migrations) h.update(`${m.version}\0${m.name}\0${m.sql}\0`);
  return h.digest('hex').slice(0, 16);
}

function readStamp(templateDir: string): Stamp | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(templateDir, STAMP), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

/** True when templateDir holds a template this PGlite wrote with exactly these migrations. */
export function pgliteTemplateIsCurrent(
  templateDir = DEFAULT_PGLITE_TEMPLATE,
  migrations: Migration[] = allMigrations,
): boolean {
  const stamp = readStamp(templateDir);
  return stamp?.pglite === pgliteVersion() && stamp.migrations === migrationsHash(migrations);
}

/** Marks a finished template directory as written by this PGlite with these migrations. */
export function stampPGliteTemplate(templateDir: string, migrations: Migration[] = allMigrations): void {
  const stamp: Stamp = { pglite: pgliteVersion(), migrations: migrationsHash(migrations) };
  fs.writeFileSync(path.join(templateDir, STAMP), JSON.stringify(stamp) + '\n');
}

/**
 * Gives an empty PGlite directory (pgDir) the template's files. Returns false, leaving pgDir
 * alone, when pgDir already holds a database or no template for this PGlite exists; PGlite
 * then resumes or runs initdb as before. The caller holds the data directory's lock.
 */
export function seedFromPGliteTemplate(pgDir: string, templateDir = DEFAULT_PGLITE_TEMPLATE): boolean {
  if (fs.existsSync(path.join(pgDir, 'PG_VERSION'))) return false;
  if (readStamp(templateDir)?.pglite !== pgliteVersion()) return false;
  if (fs.existsSync(pgDir) && fs.readdirSync(pgDir).length > 0) return false; // not ours to replace
  // Copied beside and renamed: a crash mid-copy leaves no PG_VERSION without the rest.
  const partial = `${pgDir}.seeding`;
  fs.rmSync(partial, { recursive: true, force: true });
  // A copy-on-write clone where the file system can (btrfs, xfs), else a plain copy.
  fs.cpSync(path.join(templateDir, 'pg'), partial, { recursive: true, mode: fs.constants.COPYFILE_FICLONE });
  fs.rmSync(pgDir, { recursive: true, force: true });
  fs.renameSync(partial, pgDir);
  return true;
}
