import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { PluginType } from '@grafana/data';
import AppConfig, { AppConfigProps } from './AppConfig';
import { installBackendSrv } from '../../testing/networkFakes';

function props(jsonData = {}, secureJsonFields = {}): AppConfigProps {
  return {
    plugin: { meta: { id: 'aihub-observability-app', name: 'AI Hub', type: PluginType.app, enabled: true, pinned: true, jsonData, secureJsonFields } },
    query: {},
  } as unknown as AppConfigProps;
}

describe('AppConfig', () => {
  const reload = jest.fn();
  beforeAll(() => {
    // jsdom cannot navigate; the page reload after saving is observed instead.
    Object.defineProperty(window, 'location', { value: { ...window.location, reload }, writable: true });
  });
  beforeEach(() => reload.mockReset());

  test('saves URLs in jsonData and typed tokens in secureJsonData, then reloads', async () => {
    const calls = installBackendSrv(() => ({ status: 200, data: {} }));
    render(<AppConfig {...props()} />);
    await userEvent.type(screen.getByLabelText(/^Collector URL/), 'http://127.0.0.1:4880');
    await userEvent.type(screen.getByLabelText(/^Alerting URL/), 'http://127.0.0.1:4881');
    await userEvent.type(screen.getByLabelText(/^Collector token/), 'secret-1');
    await userEvent.type(screen.getByLabelText(/^Alerting token/), 'secret-2');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(calls).toEqual([
      {
        method: 'POST',
        url: '/api/plugins/aihub-observability-app/settings',
        params: undefined,
        data: {
          enabled: true,
          pinned: true,
          jsonData: { collectorUrl: 'http://127.0.0.1:4880', alertingUrl: 'http://127.0.0.1:4881' },
          secureJsonData: { collectorToken: 'secret-1', alertingToken: 'secret-2' },
        },
      },
    ]);
    expect(reload).toHaveBeenCalled();
  });

  test('configured tokens show as configured and are not sent again unless reset', async () => {
    const calls = installBackendSrv(() => ({ status: 200, data: {} }));
    render(<AppConfig {...props({ collectorUrl: 'http://c:4880', alertingUrl: 'http://a:4881' }, { collectorToken: true, alertingToken: true })} />);
    expect(screen.getAllByDisplayValue('configured')).toHaveLength(2);
    const resets = screen.getAllByRole('button', { name: 'Reset' });
    await userEvent.click(resets[1]);
    await userEvent.type(screen.getByLabelText(/^Alerting token/), 'new-secret');
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect((calls[0].data as { secureJsonData: unknown }).secureJsonData).toEqual({ alertingToken: 'new-secret' });
  });

  test('an invalid URL blocks saving', async () => {
    installBackendSrv(() => ({ status: 200, data: {} }));
    render(<AppConfig {...props()} />);
    await userEvent.type(screen.getByLabelText(/^Collector URL/), 'localhost:4880');
    expect(screen.getByText('Enter an http:// or https:// URL')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save settings' })).toBeDisabled();
  });

  test('a failed save is shown and does not reload', async () => {
    installBackendSrv(() => ({ status: 403, data: { message: 'Permission denied' } }));
    render(<AppConfig {...props({ collectorUrl: 'http://c:4880' })} />);
    await userEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Permission denied')).toBeInTheDocument();
    expect(reload).not.toHaveBeenCalled();
  });

  test('Test connection checks both services through the proxy and reports each', async () => {
    const calls = installBackendSrv((req) => {
      if (req.url.endsWith('/collector/health')) {
        return { status: 200, data: { status: 'ok' } };
      }
      if (req.url.endsWith('/collector/v1/assistant/status')) {
        return { status: 200, data: { configured: true, model: 'gpt-4o-mini' } };
      }
      return { status: 502, data: {} };
    });
    render(<AppConfig {...props({ collectorUrl: 'http://c:4880' })} />);
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('collector: reachable (ok), assistant model gpt-4o-mini')).toBeInTheDocument();
    expect(screen.getByText(/alerting: The alerting service is unreachable \(HTTP 502\)/)).toBeInTheDocument();
    expect(calls.map((c) => c.url)).toEqual(
      expect.arrayContaining(['/api/plugin-proxy/aihub-observability-app/collector/health', '/api/plugin-proxy/aihub-observability-app/alerting/health'])
    );
  });

  test('a wrong token shows up even though /health needs none', async () => {
    installBackendSrv((req) =>
      req.url.endsWith('/health') ? { status: 200, data: { status: 'ok' } } : { status: 401, data: { error: { code: 'unauthorized', message: 'invalid bearer token' } } }
    );
    render(<AppConfig {...props({ collectorUrl: 'http://c:4880' })} />);
    await userEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByText('collector: invalid bearer token')).toBeInTheDocument();
  });
});
