import React from 'react';
import { render, screen } from '@testing-library/react';
import { BudgetProgress } from './BudgetProgress';

describe('BudgetProgress', () => {
  test('a bar per instance with spent, percent and forecast; the top N of many is said', () => {
    render(
      <BudgetProgress
        budget={{
          name: 'user_daily_openai',
          period: 'day',
          timezone: 'UTC',
          thresholds: [50, 80, 100],
          status: {
            unit: 'usd',
            limit: 5,
            period_end: '2026-12-03T00:00:00.000Z',
            instances_total: 40,
            instances: [
              {
                labels: { user_id: 'u1' },
                spent: 4.2,
                percent: 84,
                forecast: 7.5,
                thresholds_crossed: [50, 80],
                forecast_over: true,
              },
              {
                labels: { user_id: 'u2' },
                spent: 1,
                percent: 20,
                forecast: null,
                thresholds_crossed: [],
                forecast_over: false,
              },
            ],
          },
        }}
      />
    );
    expect(screen.getByText(/top 2 of 40/)).toBeInTheDocument();
    const bars = screen.getAllByRole('progressbar');
    expect(bars.map((b) => b.getAttribute('aria-label'))).toEqual([
      'user_daily_openai user_id=u1',
      'user_daily_openai user_id=u2',
    ]);
    expect(bars[0]).toHaveAttribute('aria-valuenow', '84');
    expect(screen.getByText(/\$4\.20 \(84%\) · forecast \$7\.50/)).toBeInTheDocument();
    expect(screen.getByText('$1.00 (20%)')).toBeInTheDocument();
  });

  test('a token budget over its limit caps the bar at 100', () => {
    render(
      <BudgetProgress
        budget={{
          name: 'team_monthly',
          period: 'month',
          timezone: 'Europe/Berlin',
          thresholds: [80],
          status: {
            unit: 'tokens',
            limit: 1000,
            period_end: '2026-12-31T23:00:00.000Z',
            instances_total: 1,
            instances: [
              { labels: {}, spent: 1500, percent: 150, forecast: null, thresholds_crossed: [80], forecast_over: false },
            ],
          },
        }}
      />
    );
    expect(screen.getByRole('progressbar', { name: 'team_monthly' })).toHaveAttribute('aria-valuenow', '100');
    expect(screen.getByText('1,500 tokens (150%)')).toBeInTheDocument();
  });
});
