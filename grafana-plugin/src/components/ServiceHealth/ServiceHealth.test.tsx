import React from 'react';
import { render, screen } from '@testing-library/react';
import { installBackendSrv } from '../../testing/networkFakes';
import { ServiceHealth } from './ServiceHealth';

describe('ServiceHealth', () => {
  test('shows the status a healthy service reports', async () => {
    installBackendSrv(() => ({ status: 200, data: { status: 'ok' } }));
    render(<ServiceHealth service="collector" />);
    expect(await screen.findByText('ok')).toBeInTheDocument();
  });

  test('shows down when the proxy cannot reach the service', async () => {
    installBackendSrv(() => ({ status: 502, data: {} }));
    render(<ServiceHealth service="alerting" />);
    expect(await screen.findByText('down')).toBeInTheDocument();
  });
});
