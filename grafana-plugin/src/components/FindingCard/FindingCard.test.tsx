import React from 'react';
import { render, screen } from '@testing-library/react';
import { FindingCard } from './FindingCard';
import type { Finding } from '../../api/types';

const f: Finding = {
  code: 'llm_error_spike',
  severity: 'critical',
  title: 'Error rate spiked on gpt-4o',
  detail: 'Errors went from 0.5% to 12%.',
  evidence: { error_rate: 0.1234567, baseline: 0.005, window: '5m', spike: true },
  series: [{ name: 'llm_error_rate', labels: { provider: 'openai', model: 'gpt-4o' } }],
};

describe('FindingCard', () => {
  test('shows severity, title, detail, evidence and the series', () => {
    render(<FindingCard finding={f} />);
    const card = screen.getByRole('article', { name: 'critical: Error rate spiked on gpt-4o' });
    expect(card).toHaveAttribute('data-severity', 'critical');
    expect(card).toHaveTextContent('Errors went from 0.5% to 12%.');
    expect(card).toHaveTextContent('llm_error_spike');
    expect(screen.getByText('error_rate').nextSibling).toHaveTextContent('0.1235');
    expect(screen.getByText('window').nextSibling).toHaveTextContent('5m');
    expect(screen.getByText('spike').nextSibling).toHaveTextContent('true');
    expect(card).toHaveTextContent('llm_error_rate{provider="openai", model="gpt-4o"}');
  });

  test('a finding with no evidence renders without an empty list', () => {
    render(<FindingCard finding={{ ...f, severity: 'info', evidence: {}, series: undefined }} />);
    expect(screen.getByRole('article')).toHaveAttribute('data-severity', 'info');
    expect(screen.queryByRole('term')).not.toBeInTheDocument();
  });
});
