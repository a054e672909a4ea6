import { orderSeries } from './orderSeries';

const p = (timestamp: number, value: number) => ({ timestamp, value });

describe('orderSeries', () => {
  it('leaves a sorted series as it is and counts nothing', () => {
    const input = [p(1, 1), p(2, 2), p(5, 3)];
    expect(orderSeries(input)).toEqual({ points: input, outOfOrder: 0, duplicates: 0 });
  });

  it('sorts points that step back in time and counts each one', () => {
    const r = orderSeries([p(1, 1), p(4, 4), p(2, 2), p(3, 3), p(5, 5)]);
    expect(r.points.map((x) => x.timestamp)).toEqual([1, 2, 3, 4, 5]);
    expect(r.outOfOrder).toBe(2);
    expect(r.duplicates).toBe(0);
  });

  it('merges points with the same timestamp into one with their mean value, wherever they were', () => {
    const input = [p(1, 1), p(2, 2), p(2, 4), p(3, 3), p(2, 9)];
    const r = orderSeries(input);
    expect(r.points).toEqual([p(1, 1), p(2, 5), p(3, 3)]);
    expect(r.duplicates).toBe(2);
    expect(r.outOfOrder).toBe(1);
    expect(input[1]).toEqual(p(2, 2)); // the input is not modified
  });

  it('keeps the other fields of the first point of a merged run', () => {
    const r = orderSeries([
      { timestamp: 1, value: 1, text: 'a' },
      { timestamp: 1, value: 3, text: 'b' },
    ]);
    expect(r.points).toEqual([{ timestamp: 1, value: 2, text: 'a' }]);
  });
});
