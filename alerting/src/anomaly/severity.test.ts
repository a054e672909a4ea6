import { severityFromHistory } from './severity';

describe('severityFromHistory (severity auto)', () => {
  const history = Array.from({ length: 1000 }, (_, i) => i / 10); // 0 … 99.9

  it('is critical above p99, warning above p95, info otherwise — on both sides', () => {
    expect(severityFromHistory(99.95, history).severity).toBe('critical');
    expect(severityFromHistory(97, history).severity).toBe('warning');
    expect(severityFromHistory(50, history).severity).toBe('info');
    expect(severityFromHistory(-1, history).severity).toBe('critical');
    expect(severityFromHistory(3, history).severity).toBe('warning');
  });

  it('gives the context the alert shows: mean, std and the value’s percentile', () => {
    const { context } = severityFromHistory(75, history);
    expect(context.historicalMean).toBeCloseTo(49.95, 6);
    expect(context.historicalStd).toBeCloseTo(28.87, 1);
    expect(context.percentile).toBeCloseTo(75.1, 1);
    expect(context.count).toBe(1000);
  });

  it('does not judge with fewer than 10 points of history', () => {
    expect(severityFromHistory(1e9, [1, 2, 3]).severity).toBe('info');
  });
});
