// The generated dashboards: up to date with the TypeScript, and well-formed as Grafana needs
// them (schema version, ids, datasources, layout, variables, metric names).
import fs from 'node:fs';
import path from 'node:path';
import { catalog, renderDashboard } from './catalog';
import { documentedMetricNames, metricNames } from './promql-names';
import { allPanels, extractTargets, type DashboardJson } from './targets';
import { referencedVariables } from './template-variables';
import { recordedMetricNames } from './provisioning-files';

const DASHBOARDS_DIR = path.resolve(__dirname, '..');
const REPO = path.resolve(DASHBOARDS_DIR, '..');
/** The dashboard schema of Grafana 12 (what the foundation SDK 0.0.21 writes). */
const CURRENT_SCHEMA_VERSION = 42;
const EXPECTED_UIDS = ['aihub-overview', 'aihub-llm', 'aihub-training', 'aihub-system', 'aihub-alerts'];
/** Variables Grafana itself provides. */
const GLOBAL_VARIABLES = new Set([
  '__interval',
  '__interval_ms',
  '__rate_interval',
  '__range',
  '__range_s',
  '__range_ms',
  '__from',
  '__to',
]);

const onDisk = catalog.map((entry) => ({
  file: entry.file,
  json: JSON.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, entry.file), 'utf8')) as DashboardJson,
}));

describe('generated dashboards', () => {
  it.each(catalog.map((e) => [e.file, e] as const))(
    '%s matches the TypeScript (run `npm run dashboards` after editing)',
    (file, entry) => {
      expect(fs.readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')).toBe(renderDashboard(entry.build()));
    },
  );

  it('keeps the five stable uids', () => {
    expect(onDisk.map((d) => d.json.uid)).toEqual(EXPECTED_UIDS);
  });
});

describe.each(onDisk.map((d) => [d.file, d.json] as const))('%s', (_file, dashboard) => {
  const panels = allPanels(dashboard);
  const dataPanels = panels.filter((p) => p.type !== 'row');

  it('uses the current schemaVersion', () => {
    expect(dashboard.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
  });

  it('gives every panel a unique positive id', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id) && (id as number) > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every panel and every target a datasource', () => {
    const missing = dataPanels
      .filter((p) => !p.datasource?.uid || (p.targets ?? []).length === 0)
      .map((p) => p.title);
    expect(missing).toEqual([]);
    for (const t of extractTargets(dashboard)) expect(t.datasourceUid).not.toBe('');
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    type Grid = { x: number; y: number; w: number; h: number };
    const boxes = panels.map((p) => ({ title: p.title, g: (p as { gridPos: Grid }).gridPos }));
    for (const { title, g } of boxes) {
      expect({ title, ok: g.x >= 0 && g.y >= 0 && g.w > 0 && g.h > 0 && g.x + g.w <= 24 }).toEqual({
        title,
        ok: true,
      });
    }
    const overlaps: string[] = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].g;
        const b = boxes[j].g;
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
          overlaps.push(`${boxes[i].title} / ${boxes[j].title}`);
      }
    }
    expect(overlaps).toEqual([]);
  });

  it('defines every variable its queries use', () => {
    const defined = new Set(
      ((dashboard.templating as { list?: { name: string }[] }).list ?? []).map((v) => v.name),
    );
    const texts = extractTargets(dashboard).map((t) => (t.kind === 'prometheus' ? t.expr : t.rawSql));
    texts.push(...dataPanels.map((p) => p.datasource?.uid ?? ''));
    const undefinedVars = texts
      .flatMap(referencedVariables)
      .filter(
        (v) =>
          !defined.has(v) &&
          !GLOBAL_VARIABLES.has(v) &&
          !v.startsWith('__time') &&
          !v.startsWith('__unixEpoch'),
      );
    expect([...new Set(undefinedVars)]).toEqual([]);
  });

  it('selects only metrics from docs/metrics.md, the recording rules and `up`', () => {
    const known = documentedMetricNames(fs.readFileSync(path.join(REPO, 'docs/metrics.md'), 'utf8'));
    for (const name of recordedMetricNames()) known.add(name);
    known.add('up');
    const unknown = extractTargets(dashboard)
      .flatMap((t) =>
        t.kind === 'prometheus' ? metricNames(t.expr).map((metric) => ({ panel: t.panelTitle, metric })) : [],
      )
      .filter((use) => !known.has(use.metric));
    expect(unknown).toEqual([]);
  });
});
