import { compare } from './compare';
import { aggregatePoints } from './aggregate';
import { renderTemplate } from './template';

describe('rule conditions', () => {
  test('operators of the original plan', () => {
    expect(compare('>', 81, 80)).toBe(true);
    expect(compare('>', 80, 80)).toBe(false);
    expect(compare('>=', 80, 80)).toBe(true);
    expect(compare('<', 1e-7, 1e-6)).toBe(true);
    expect(compare('<=', 2, 1)).toBe(false);
    expect(compare('=', 3, 3)).toBe(true);
    expect(compare('!=', 3, 3)).toBe(false);
  });

  test('a NaN or infinite value satisfies every comparison but equality', () => {
    for (const op of ['>', '<', '>=', '<=', '!='] as const) expect(compare(op, NaN, 1)).toBe(true);
    expect(compare('==', Infinity, 1)).toBe(false);
  });

  test('aggregations over raw points match the SQL ones', () => {
    const pts: [number, number][] = [
      [0, 1],
      [1000, 2],
      [2000, 3],
      [3000, 10],
    ];
    expect(aggregatePoints('avg', pts)).toBe(4);
    expect(aggregatePoints('min', pts)).toBe(1);
    expect(aggregatePoints('max', pts)).toBe(10);
    expect(aggregatePoints('sum', pts)).toBe(16);
    expect(aggregatePoints('count', pts)).toBe(4);
    expect(aggregatePoints('last', pts)).toBe(10);
    expect(aggregatePoints('p95', pts)).toBeCloseTo(3 + 0.85 * 7);
    expect(aggregatePoints('rate', pts)).toBe(3);
    expect(aggregatePoints('avg', [])).toBeNull();
  });

  test('annotation templates fill $value, $threshold and $labels', () => {
    expect(
      renderTemplate('CPU at {{ $value }}% on {{ $labels.host }} (> {{$threshold}})', {
        value: 91.23456,
        threshold: 80,
        labels: { host: 'gpu-01' },
      }),
    ).toBe('CPU at 91.23% on gpu-01 (> 80)');
  });
});
