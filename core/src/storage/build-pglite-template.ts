import fs from 'fs';
import path from 'path';
import { migrate } from './migrate';
import { migrations as allMigrations, type Migration } from './migrations';
import { openPGlite } from './pglite';
import { DEFAULT_PGLITE_TEMPLATE, pgliteTemplateIsCurrent, stampPGliteTemplate } from './pglite-template';

/**
 * `npm run build`: the PGlite template — exactly what a first start used to produce (initdb,
 * then the migrations) — unless a current one is there. Written beside and renamed into
 * place, so a reader never sees half a template. Returns true when it built one.
 */
export async function buildPGliteTemplate(
  templateDir = DEFAULT_PGLITE_TEMPLATE,
  migrations: Migration[] = allMigrations,
): Promise<boolean> {
  if (pgliteTemplateIsCurrent(templateDir, migrations)) return false;
  const building = `${templateDir}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  const db = await openPGlite(building, { template: null });
  try {
    await migrate(db, migrations);
  } finally {
    await db.close();
  }
  stampPGliteTemplate(building, migrations);
  fs.rmSync(templateDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(templateDir), { recursive: true });
  fs.renameSync(building, templateDir);
  return true;
}
