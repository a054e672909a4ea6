import { extractFeatures, FEATURE_NAMES } from './features';
import { Standardiser } from './standardiser';

const T0 = Date.UTC(2026, 0, 5, 13, 0); // Monday 13:00 UTC

describe('extractFeatures', () => {
  const points = [10, 12, 12, 0, 6].map((value, i) => ({ timestamp: T0 + i * 30_000, value }));
  const rows = extractFeatures(points);
  const col = (name: (typeof FEATURE_NAMES)[number]) => rows.map((r) => r[FEATURE_NAMES.indexOf(name)]);

  it('computes the original plan’s features from each point and the ones before it', () => {
    expect(rows.every((r) => r.length === 9)).toBe(true);
    expect(col('value')).toEqual([10, 12, 12, 0, 6]);
    expect(col('first_difference')).toEqual([0, 2, 0, -12, 6]);
    expect(col('rate_of_change')).toEqual([0, 2 / 30, 0, -12 / 30, 6 / 30]);
    expect(col('moving_average_5')[4]).toBeCloseTo(8, 10);
    expect(col('moving_average_15')[1]).toBe(11);
    expect(col('volatility_10')[1]).toBe(1);
    expect(col('hour_of_day')[0]).toBe(13);
    expect(col('day_of_week')[0]).toBe(1);
  });

  it('bounds relative change instead of dividing by zero after a 0', () => {
    expect(col('relative_change')[1]).toBeCloseTo(0.2, 10);
    expect(col('relative_change')[3]).toBe(-1);
    expect(col('relative_change')[4]).toBe(10);
    expect(rows.flat().every(Number.isFinite)).toBe(true);
  });

  it('does not look ahead: features of a prefix equal those of the full series', () => {
    expect(extractFeatures(points.slice(0, 3))).toEqual(rows.slice(0, 3));
  });
});

describe('Standardiser', () => {
  it('z-scores with training statistics, keeps constant columns finite, and round-trips', () => {
    const s = Standardiser.fit([
      [1, 5],
      [3, 5],
    ]);
    expect(s.transform([2, 5])).toEqual([0, 0]);
    expect(s.transform([3, 6])).toEqual([1, 1]);
    expect(Standardiser.fromJSON(JSON.parse(JSON.stringify(s))).transform([3, 6])).toEqual([1, 1]);
    expect(() => Standardiser.fromJSON({ mean: [0], scale: [0] })).toThrow(/positive/);
  });
});
