import React from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installBackendSrv, RecordedRequest } from '../testing/networkFakes';
import { lastLocation, renderWithRouter } from '../testing/renderWithRouter';
import Alerts from './Alerts';

function alertingService() {
  const incidents = [
    { id: '1', rule: 'high_cpu_usage', status: 'active', severity: 'warning', labels: { host: 'gpu-01' }, annotations: {} },
    { id: '2', rule: 'critical_error_rate', status: 'active', severity: 'critical', labels: { model: 'gpt-4o' }, annotations: {} },
  ];
  return (req: RecordedRequest) => {
    if (req.url.endsWith('/alerting/v1/incidents')) {
      return {
        status: 200,
        data: incidents.filter((i) => (!req.params?.status || i.status === req.params.status) && (!req.params?.severity || i.severity === req.params.severity)),
      };
    }
    const ack = /\/alerting\/v1\/incidents\/(\w+)\/ack$/.exec(req.url);
    if (ack && req.method === 'POST') {
      const inc = incidents.find((i) => i.id === ack[1])!;
      inc.status = 'acknowledged';
      return { status: 200, data: inc };
    }
    if (req.url.endsWith('/alerting/v1/silences')) {
      return { status: 201, data: { id: 's1' } };
    }
    if (req.url.endsWith('/alerting/v1/rules')) {
      return { status: 200, data: { rules: [{ name: 'high_cpu_usage', metric: 'system_cpu_usage_percent', threshold: 80 }] } };
    }
    return undefined;
  };
}

describe('Alerts page', () => {
  test('lists active incidents and acks one, which then leaves the active list', async () => {
    const calls = installBackendSrv(alertingService());
    renderWithRouter(<Alerts />, '/a/aihub-observability-app/alerts');
    const table = await screen.findByRole('table');
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    // The rule's metric picks the dashboard: high_cpu_usage watches system_cpu_usage_percent.
    await waitFor(() =>
      expect(screen.getAllByRole('link', { name: 'Dashboard' }).map((a) => a.getAttribute('href'))).toEqual(['/d/aihub-system', '/d/aihub-overview'])
    );
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge high_cpu_usage' }));
    expect(await screen.findByText('Acknowledged high_cpu_usage')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    expect(calls.find((c) => c.url.endsWith('/ack'))).toMatchObject({ method: 'POST', data: { by: 'grafana' } });
  });

  test('severity filter is sent to the service and kept in the URL', async () => {
    const calls = installBackendSrv(alertingService());
    renderWithRouter(<Alerts />, '/a/aihub-observability-app/alerts');
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('radio', { name: 'Critical' }));
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    expect(calls[calls.length - 1].params).toEqual({ status: 'active', severity: 'critical' });
    expect(lastLocation.search).toContain('severity=critical');
  });

  test('silencing an incident posts matchers for it and a 1 h window', async () => {
    const calls = installBackendSrv(alertingService());
    renderWithRouter(<Alerts />, '/a/aihub-observability-app/alerts?severity=warning');
    await screen.findByRole('table');
    await userEvent.click(screen.getByRole('button', { name: /silence/i }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Silence for 1 hour' }));
    expect(await screen.findByText('Silenced high_cpu_usage for 60 min')).toBeInTheDocument();
    const silence = calls.find((c) => c.url.endsWith('/silences'))!.data as { matchers: unknown; starts_at: string; ends_at: string };
    expect(silence.matchers).toEqual([
      { name: 'alertname', value: 'high_cpu_usage', is_regex: false },
      { name: 'host', value: 'gpu-01', is_regex: false },
    ]);
    expect(Date.parse(silence.ends_at) - Date.parse(silence.starts_at)).toBe(3_600_000);
  });

  test('a rule link shows the rule and only its incidents', async () => {
    installBackendSrv(alertingService());
    renderWithRouter(<Alerts />, '/a/aihub-observability-app/alerts?rule=high_cpu_usage');
    expect(await screen.findByText(/"threshold": 80/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
  });

  test('an unreachable alerting service is explained', async () => {
    installBackendSrv(() => ({ status: 502, data: {} }));
    renderWithRouter(<Alerts />, '/a/aihub-observability-app/alerts');
    expect(await screen.findByText('Incidents unavailable')).toBeInTheDocument();
    expect(screen.getByText(/alerting service is unreachable/)).toBeInTheDocument();
  });
});
