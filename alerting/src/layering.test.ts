/**
 * The alerting folders depend one way: types/ is the ground floor (labels, alert, notification,
 * alert-set hash, stage, value formatting) and imports nothing of alerting's; incidents/ and
 * silence/ stand on types/; rules/ on incidents/; dispatch/ (routes, groups and the
 * mute → wait → dedup → enqueue stages) drives notify/, which only delivers (outbox, send,
 * record, channels) and never reaches back up.
 */
import fs from 'fs';
import path from 'path';

const SRC = __dirname;

/** Folder → the alerting folders its files import from. */
function folderImports(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const from = path.relative(SRC, p).split(path.sep)[0];
        if (!entry.isFile() || from === entry.name) continue; // top-level files are the wiring
        const deps = out.get(from) ?? new Set<string>();
        for (const m of fs.readFileSync(p, 'utf8').matchAll(/from '(\.[^']*)'/g)) {
          const target = path.relative(SRC, path.resolve(path.dirname(p), m[1])).split(path.sep)[0];
          if (target && target !== from && !target.startsWith('..')) deps.add(target.replace(/\.ts$/, ''));
        }
        out.set(from, deps);
      }
    }
  };
  walk(SRC);
  return out;
}

const FORBIDDEN: Record<string, string[]> = {
  types: ['rules', 'incidents', 'dispatch', 'notify', 'silence', 'api', 'anomaly', 'config'],
  incidents: ['rules', 'dispatch', 'notify', 'api'],
  silence: ['rules', 'dispatch', 'notify', 'api'],
  notify: ['dispatch', 'rules', 'incidents', 'api'],
  rules: ['dispatch', 'notify', 'api'],
  dispatch: ['rules', 'api'],
};

describe('alerting layering', () => {
  const imports = folderImports();

  it('finds the folders it guards', () => {
    for (const folder of Object.keys(FORBIDDEN)) expect(imports.has(folder)).toBe(true);
  });

  for (const [folder, forbidden] of Object.entries(FORBIDDEN)) {
    it(`${folder}/ imports none of ${forbidden.join(', ')}`, () => {
      const deps = [...(imports.get(folder) ?? [])];
      expect(deps.filter((d) => forbidden.includes(d))).toEqual([]);
    });
  }

  it('the dispatch-side stages live beside the dispatcher, notify/ keeps only delivery', () => {
    expect(fs.readdirSync(path.join(SRC, 'dispatch', 'stages')).sort()).toEqual(
      ['dedup.ts', 'enqueue.ts', 'mute.ts', 'wait.ts'].sort(),
    );
    expect(fs.readdirSync(path.join(SRC, 'notify', 'stages')).sort()).toEqual(['record.ts', 'send.ts']);
  });
});
