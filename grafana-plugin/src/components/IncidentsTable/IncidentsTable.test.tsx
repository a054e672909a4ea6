import React from 'react';
import { screen, within } from '@testing-library/react';
import { renderWithRouter as render } from '../../testing/renderWithRouter';
import userEvent from '@testing-library/user-event';
import { IncidentsTable } from './IncidentsTable';
import type { Incident } from '../../api/types';

const incidents = [
  {
    id: '1',
    rule_name: 'high_cpu_usage',
    status: 'active',
    severity: 'warning',
    labels: { host: 'gpu-01' },
    annotations: { summary: 'CPU at 91% on gpu-01' },
    metric: 'system_cpu_usage_percent',
    started_at: '2026-01-17T15:00:00Z',
  },
  {
    id: '2',
    rule_name: 'loss_anomaly',
    status: 'active',
    severity: 'critical',
    labels: { run_id: 'r1' },
    annotations: {},
    metric: 'training_train_loss',
    acknowledged_at: '2026-01-17T15:05:00Z',
    acknowledged_by: 'bob',
  },
] as unknown as Incident[];

describe('IncidentsTable', () => {
  test('lists incidents with severity, summary, labels and links to the rule and the dashboard', () => {
    render(<IncidentsTable incidents={incidents} onAck={jest.fn()} onSilence={jest.fn()} />);
    const rows = screen.getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    const first = within(rows[0]);
    expect(first.getByText('warning')).toBeInTheDocument();
    expect(first.getByText('CPU at 91% on gpu-01')).toBeInTheDocument();
    expect(first.getByText('host=gpu-01')).toBeInTheDocument();
    expect(first.getByRole('link', { name: 'Rule' })).toHaveAttribute(
      'href',
      '/a/aihub-observability-app/alerts?rule=high_cpu_usage'
    );
    expect(first.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/d/aihub-system');
    expect(within(rows[1]).getByRole('link', { name: 'Dashboard' })).toHaveAttribute('href', '/d/aihub-training');
  });

  test('ack calls back with the incident; an acknowledged incident cannot be acked again', async () => {
    const onAck = jest.fn();
    render(<IncidentsTable incidents={incidents} onAck={onAck} onSilence={jest.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Acknowledge high_cpu_usage' }));
    expect(onAck).toHaveBeenCalledWith(incidents[0]);
    expect(screen.getByRole('button', { name: 'Acknowledge loss_anomaly' })).toBeDisabled();
    expect(screen.getByText('acknowledged by bob')).toBeInTheDocument();
  });

  test('keyboard only: Tab reaches the ack button and Enter acknowledges', async () => {
    const onAck = jest.fn();
    render(<IncidentsTable incidents={incidents.slice(0, 1)} onAck={onAck} onSilence={jest.fn()} />);
    const ack = screen.getByRole('button', { name: 'Acknowledge high_cpu_usage' });
    for (let i = 0; i < 10 && document.activeElement !== ack; i++) {
      await userEvent.tab();
    }
    expect(ack).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(onAck).toHaveBeenCalledWith(incidents[0]);
  });

  test('silence calls back with the incident and duration', async () => {
    const onSilence = jest.fn();
    render(<IncidentsTable incidents={incidents.slice(0, 1)} onAck={jest.fn()} onSilence={onSilence} />);
    await userEvent.click(screen.getByRole('button', { name: /silence/i }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Silence for 4 hours' }));
    expect(onSilence).toHaveBeenCalledWith(incidents[0], 14_400_000, '');
  });

  test('an empty list says so', () => {
    render(<IncidentsTable incidents={[]} onAck={jest.fn()} onSilence={jest.fn()} />);
    expect(screen.getByText('No incidents match these filters.')).toBeInTheDocument();
  });
});
