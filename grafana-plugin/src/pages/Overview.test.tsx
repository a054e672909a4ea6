import React from 'react';
import { screen, within } from '@testing-library/react';
import { installBackendSrv } from '../testing/networkFakes';
import { renderWithRouter } from '../testing/renderWithRouter';
import { testIds } from '../components/testIds';
import Overview from './Overview';

describe('Overview page', () => {
  test('shows health, incidents by severity, spend today, recent runs and dashboard links', async () => {
    const calls = installBackendSrv((req) => {
      if (req.url.endsWith('/collector/health')) {
        return { status: 200, data: { status: 'ok' } };
      }
      if (req.url.endsWith('/alerting/health')) {
        return { status: 502, data: {} };
      }
      if (req.url.endsWith('/v1/incidents')) {
        return {
          status: 200,
          data: [
            { id: '1', status: 'active', severity: 'critical', labels: {} },
            { id: '2', status: 'active', severity: 'critical', labels: {} },
            { id: '3', status: 'active', severity: 'warning', labels: {} },
          ],
        };
      }
      if (req.url.endsWith('/v1/budgets')) {
        return {
          status: 200,
          data: {
            budgets: [
              {
                name: 'user_daily_openai',
                period: 'day',
                status: {
                  unit: 'usd',
                  limit: 5,
                  period_end: '2026-12-03T00:00:00.000Z',
                  instances_total: 1,
                  instances: [
                    { labels: { user_id: 'u1' }, spent: 4.1, percent: 82, forecast: 6, thresholds_crossed: [50, 80] },
                  ],
                },
              },
            ],
          },
        };
      }
      if (req.url.endsWith('/v1/training/runs')) {
        return {
          status: 200,
          data: [{ run_id: 'resnet50-lr3e-4', model_name: 'ResNet50', status: 'running', last_epoch: 15 }],
        };
      }
      if (req.url.endsWith('/v1/llm/summary')) {
        return {
          status: 200,
          data: {
            from: 0,
            to: 1,
            totals: { requests: 420, cost_usd: 12.345 },
            models: [{ provider: 'openai', model: 'gpt-4o', requests: 420, cost_usd: 12.345 }],
          },
        };
      }
      return undefined;
    });
    renderWithRouter(<Overview />);
    const health = screen.getByTestId(testIds.overview.health);
    expect(await within(health).findByText('ok')).toBeInTheDocument();
    expect(await within(health).findByText('down')).toBeInTheDocument();
    expect(await screen.findByText('critical: 2')).toBeInTheDocument();
    expect(screen.getByText('warning: 1')).toBeInTheDocument();
    expect(screen.getByText('info: 0')).toBeInTheDocument();
    expect(await screen.findByText('$12.35')).toBeInTheDocument();
    expect(screen.getByText('1 models, 420 requests')).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'resnet50-lr3e-4' })).toHaveAttribute(
      'href',
      '/d/aihub-training?var-run_id=resnet50-lr3e-4'
    );
    expect(screen.getByText(/ResNet50 · running · epoch 15/)).toBeInTheDocument();
    const dashboards = within(screen.getByTestId(testIds.overview.dashboards)).getAllByRole('link');
    expect(dashboards.map((a) => a.getAttribute('href'))).toEqual([
      '/d/aihub-overview',
      '/d/aihub-llm',
      '/d/aihub-training',
      '/d/aihub-system',
    ]);
    const summary = calls.find((c) => c.url.endsWith('/v1/llm/summary'))!;
    expect(Number(summary.params!.from)).toBeLessThanOrEqual(Date.now());
    expect(calls.find((c) => c.url.endsWith('/v1/incidents'))!.params).toEqual({ status: 'active' });
    const budgets = screen.getByTestId(testIds.overview.budgets);
    expect(await within(budgets).findByRole('progressbar', { name: 'user_daily_openai user_id=u1' })).toHaveAttribute(
      'aria-valuenow',
      '82'
    );
    expect(within(budgets).getByText(/\$4\.10 \(82%\) · forecast \$6\.00/)).toBeInTheDocument();
    expect(calls.find((c) => c.url.endsWith('/v1/budgets'))!.params).toEqual({ include: 'status', instances: '5' });
  });

  test('each section shows its own failure without hiding the others', async () => {
    installBackendSrv((req) =>
      req.url.endsWith('/v1/training/runs') ? { status: 200, data: [] } : { status: 502, data: {} }
    );
    renderWithRouter(<Overview />);
    expect(await screen.findByText('No training runs reported yet.')).toBeInTheDocument();
    expect(await screen.findByText('Incidents unavailable')).toBeInTheDocument();
    expect(await screen.findByText('LLM summary unavailable')).toBeInTheDocument();
    expect(await screen.findByText('Budgets unavailable')).toBeInTheDocument();
  });
});
