import { createTestStorage, TEST_DRIVERS, type TestStorage } from '../../testing/databases';
import type { Database } from '../database';
import { migrate } from '../migrate';
import { migrations } from './index';

/** Issue 11, finding 3: rows older versions stored but could never show again are migrated away. */
describe.each(TEST_DRIVERS)('migration 4 on %s', (driver) => {
  let storage: TestStorage;
  let db: Database;
  beforeAll(async () => {
    storage = await createTestStorage(driver);
    db = await storage.open();
    await migrate(
      db,
      migrations.filter((m) => m.version < 4),
    );
  });
  afterAll(async () => {
    await db.close();
    await storage.cleanup();
  });

  test('removes silences beyond 9999 and API rules with overflowed durations or huge names, keeps the rest', async () => {
    await db.exec(`
      INSERT INTO silences (id, matchers, starts_at, ends_at, created_by) VALUES
        ('far', '[]', now(), to_timestamp(9000000000000000 / 1000.0), 'bug'),
        ('inf', '[]', now(), 'infinity', 'bug'),
        ('ok', '[]', now(), now() + interval '1 hour', 'me');
      INSERT INTO alert_rules (name, source, definition) VALUES
        ('inf_window', 'api', '{"type":"threshold","window":"Infinityd"}'),
        ('big_offset', 'api', '{"type":"threshold","window":"1m","divide_by":{"offset":"99999999999999d"}}'),
        ('inf_history', 'api', '{"type":"anomaly","history":"Infinityd"}'),
        ('${'n'.repeat(300)}', 'api', '{"type":"threshold"}'),
        ('fine', 'api', '{"type":"threshold","window":"5m","annotations":{"summary":"value is NaN"}}'),
        ('from_file', 'config', '{"type":"threshold","window":"Infinityd"}');
    `);
    const applied = await migrate(db);
    // A PGlite directory seeded from the build's template has every migration already: run
    // migration 4's SQL itself there.
    if (driver === 'pglite' && !applied.includes(4))
      await db.exec(migrations.find((m) => m.version === 4)!.sql);
    else expect(applied).toEqual(migrations.filter((m) => m.version >= 4).map((m) => m.version));
    const silences = await db.query<{ id: string }>('SELECT id FROM silences ORDER BY id');
    expect(silences.map((r) => r.id)).toEqual(['ok']);
    const rules = await db.query<{ name: string }>('SELECT name FROM alert_rules ORDER BY name');
    // Config rules are replaced from the file at every start; only API rules are repaired here.
    expect(rules.map((r) => r.name)).toEqual(['fine', 'from_file']);
  });
});
