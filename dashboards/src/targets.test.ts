import { extractTargets } from './targets';

describe('extractTargets', () => {
  const dashboard = {
    uid: 'd1',
    panels: [
      { id: 1, type: 'row', title: 'r', panels: [] },
      {
        id: 2,
        type: 'stat',
        title: 'Requests',
        datasource: { type: 'prometheus', uid: '${datasource}' },
        targets: [
          { refId: 'A', expr: 'sum by (job) (x)', instant: true, legendFormat: '{{job}}' },
          { refId: 'B', expr: 'sum(y)', range: true },
        ],
      },
      {
        id: 3,
        type: 'row',
        title: 'collapsed',
        panels: [
          {
            id: 4,
            type: 'table',
            title: 'Users',
            datasource: { type: 'grafana-postgresql-datasource', uid: 'aihub-timescaledb' },
            targets: [{ refId: 'A', rawSql: 'SELECT 1', format: 'table' }],
          },
        ],
      },
    ],
  };

  it('returns PromQL and SQL targets, including panels inside collapsed rows', () => {
    expect(extractTargets(dashboard)).toEqual([
      {
        dashboardUid: 'd1',
        panelId: 2,
        panelTitle: 'Requests',
        refId: 'A',
        datasourceUid: '${datasource}',
        kind: 'prometheus',
        expr: 'sum by (job) (x)',
        instant: true,
        legendFormat: '{{job}}',
      },
      {
        dashboardUid: 'd1',
        panelId: 2,
        panelTitle: 'Requests',
        refId: 'B',
        datasourceUid: '${datasource}',
        kind: 'prometheus',
        expr: 'sum(y)',
        instant: false,
        legendFormat: '',
      },
      {
        dashboardUid: 'd1',
        panelId: 4,
        panelTitle: 'Users',
        refId: 'A',
        datasourceUid: 'aihub-timescaledb',
        kind: 'sql',
        rawSql: 'SELECT 1',
        format: 'table',
      },
    ]);
  });

  it('prefers the target datasource over the panel datasource', () => {
    const d = {
      uid: 'd2',
      panels: [
        {
          id: 1,
          title: 'mixed',
          datasource: { type: 'prometheus', uid: 'p' },
          targets: [
            {
              refId: 'A',
              rawSql: 'SELECT 2',
              datasource: { type: 'grafana-postgresql-datasource', uid: 'pg' },
            },
          ],
        },
      ],
    };
    expect(extractTargets(d)).toMatchObject([{ kind: 'sql', datasourceUid: 'pg', rawSql: 'SELECT 2' }]);
  });

  it('names the panel when a target has no datasource it understands', () => {
    const d = { uid: 'd3', panels: [{ id: 7, title: 'orphan', targets: [{ refId: 'A', expr: 'up' }] }] };
    expect(() => extractTargets(d)).toThrow(/d3 panel 7 "orphan" target A: unknown datasource type \(none\)/);
  });
});
