import { installBackendSrv } from '../testing/networkFakes';
import { ackIncident, createSilence, listIncidents, listRules } from './alerting';

const BASE = '/api/plugin-proxy/aihub-observability-app/alerting';

describe('alerting API client', () => {
  test('incidents are filtered by status and severity, and normalised to the names the UI uses', async () => {
    const calls = installBackendSrv(() => ({
      status: 200,
      data: {
        incidents: [
          {
            id: 7,
            fingerprint: 'f',
            rule: 'high_cpu_usage',
            status: 'active',
            severity: 'warning',
            labels: { alertname: 'high_cpu_usage', host: 'gpu-01' },
            annotations: {},
            trigger_value: 91,
            last_value: 93,
            triggered_at: '2026-01-17T15:00:00.000Z',
            resolved_at: null,
            acknowledged_at: null,
            acknowledged_by: null,
          },
        ],
      },
    }));
    const incidents = await listIncidents({ status: 'active', severity: 'warning' });
    expect(calls[0]).toMatchObject({ url: `${BASE}/v1/incidents`, params: { status: 'active', severity: 'warning' } });
    expect(incidents[0]).toMatchObject({ id: '7', rule_name: 'high_cpu_usage', started_at: '2026-01-17T15:00:00.000Z', value: 93, labels: { host: 'gpu-01' } });
  });

  test('empty filters are not sent', async () => {
    const calls = installBackendSrv(() => ({ status: 200, data: [] }));
    await listIncidents({ status: '', severity: '' });
    expect(calls[0].params).toEqual({});
  });

  test('ack and silence POST to their endpoints', async () => {
    const calls = installBackendSrv(() => ({ status: 200, data: {} }));
    await ackIncident('a/b', 'alice');
    await createSilence({ matchers: [{ name: 'alertname', value: 'x' }], startsAt: 'a', endsAt: 'b', comment: 'c', createdBy: 'alice' });
    expect(calls).toEqual([
      { method: 'POST', url: `${BASE}/v1/incidents/a%2Fb/ack`, data: { by: 'alice' }, params: undefined },
      {
        method: 'POST',
        url: `${BASE}/v1/silences`,
        data: { matchers: [{ name: 'alertname', value: 'x', is_regex: false }], starts_at: 'a', ends_at: 'b', comment: 'c', created_by: 'alice' },
        params: undefined,
      },
    ]);
  });

  test('rules list', async () => {
    installBackendSrv(() => ({ status: 200, data: { rules: [{ name: 'high_cpu_usage', metric: 'system_cpu_usage_percent' }] } }));
    expect((await listRules())[0].name).toBe('high_cpu_usage');
  });
});
