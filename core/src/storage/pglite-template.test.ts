import fs from 'fs';
import os from 'os';
import path from 'path';
import { buildPGliteTemplate } from './build-pglite-template';
import { migrate, migrationsComplete } from './migrate';
import { migrations } from './migrations';
import { openPGlite } from './pglite';
import { pgliteTemplateIsCurrent, seedFromPGliteTemplate } from './pglite-template';

// One template, built without the newest migration: a fresh start from it must apply exactly
// that one, which shows both that it was seeded and that the migration logic is unchanged.
const older = migrations.slice(0, -1);
const newest = migrations[migrations.length - 1].version;

describe('PGlite data directories seeded from the build-time template', () => {
  let root: string;
  let template: string;
  const fresh = () => fs.mkdtempSync(path.join(root, 'data-'));

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-template-'));
    template = path.join(root, 'template');
    expect(await buildPGliteTemplate(template, older)).toBe(true);
  }, 120_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test('a built template is current for its migrations only, and is not rebuilt', async () => {
    expect(pgliteTemplateIsCurrent(template, older)).toBe(true);
    expect(pgliteTemplateIsCurrent(template, migrations)).toBe(false);
    expect(await buildPGliteTemplate(template, older)).toBe(false);
    expect(fs.readdirSync(root).filter((f) => f.includes('.building'))).toEqual([]);
    expect(fs.existsSync(path.join(template, 'pg', 'aihub.lock'))).toBe(false);
  });

  test('a fresh directory starts from the template: migrations already there, the newer one applied', async () => {
    const dir = fresh();
    const db = await openPGlite(dir, { template });
    try {
      expect(fs.existsSync(path.join(dir, 'pg', 'PG_VERSION'))).toBe(true);
      expect(await migrationsComplete(db, older)).toBe(true);
      expect(await migrate(db)).toEqual([newest]);
      expect(await migrationsComplete(db)).toBe(true);
      await db.query("INSERT INTO metric_series (name, labels) VALUES ('seeded', '{}')");
    } finally {
      await db.close();
    }
    // A later start resumes that database and never copies the template over it.
    const again = await openPGlite(dir, { template });
    try {
      expect(await migrate(again)).toEqual([]);
      expect(await again.query("SELECT 1 FROM metric_series WHERE name = 'seeded'")).toHaveLength(1);
    } finally {
      await again.close();
    }
  }, 60_000);

  test('the lockfile still keeps a second opener out of a seeded directory, and goes on close', async () => {
    const dir = fresh();
    const db = await openPGlite(dir, { template });
    try {
      expect(Number(fs.readFileSync(path.join(dir, 'aihub.lock'), 'utf8'))).toBe(process.pid);
      // Our own pid counts as free (a restart in-process); a live other process does not.
      fs.writeFileSync(path.join(dir, 'aihub.lock'), String(process.ppid));
      await expect(openPGlite(dir, { template })).rejects.toThrow(/in use by process/);
    } finally {
      await db.close();
    }
    expect(fs.existsSync(path.join(dir, 'aihub.lock'))).toBe(false);
  }, 60_000);

  test('no seeding over an existing or foreign directory, nor from another PGlite version', () => {
    const withDb = path.join(fresh(), 'pg');
    fs.mkdirSync(withDb);
    fs.writeFileSync(path.join(withDb, 'PG_VERSION'), '18\n');
    expect(seedFromPGliteTemplate(withDb, template)).toBe(false);
    expect(fs.readdirSync(withDb)).toEqual(['PG_VERSION']);

    const foreign = path.join(fresh(), 'pg');
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    expect(seedFromPGliteTemplate(foreign, template)).toBe(false);
    expect(fs.readdirSync(foreign)).toEqual(['notes.txt']);

    const other = path.join(root, 'other-version');
    fs.cpSync(template, other, { recursive: true });
    const stampFile = path.join(other, 'aihub-template.json');
    fs.writeFileSync(
      stampFile,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(stampFile, 'utf8')), pglite: '0.0.1' }),
    );
    const empty = path.join(fresh(), 'pg');
    expect(seedFromPGliteTemplate(empty, other)).toBe(false);
    expect(fs.existsSync(empty)).toBe(false);
    expect(seedFromPGliteTemplate(path.join(root, 'nowhere', 'pg'), path.join(root, 'missing'))).toBe(false);
  });

  test('a copy interrupted earlier is cleared and redone', () => {
    const pg = path.join(fresh(), 'pg');
    fs.mkdirSync(`${pg}.seeding`);
    fs.writeFileSync(`${pg}.seeding/half`, '');
    expect(seedFromPGliteTemplate(pg, template)).toBe(true);
    expect(fs.existsSync(`${pg}.seeding`)).toBe(false);
    expect(fs.readdirSync(pg).sort()).toEqual(fs.readdirSync(path.join(template, 'pg')).sort());
  });
});
