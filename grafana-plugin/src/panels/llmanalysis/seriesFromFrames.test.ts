import { FieldType, toDataFrame } from '@grafana/data';
import { downsample, seriesFromFrames, sharedRunId } from './seriesFromFrames';
import type { Point } from '../../api/types';

const frame = (name: string, labels: Record<string, string>, values: number[]) =>
  toDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: values.map((_, i) => 1000 * i) },
      { name: 'Value', type: FieldType.number, values, labels: { __name__: name, ...labels } },
    ],
  });

describe('seriesFromFrames', () => {
  test('one series per numeric field, named by __name__, with the other labels', () => {
    const series = seriesFromFrames([frame('training_val_loss', { run_id: 'r1' }, [0.9, 0.8])], 10, 100);
    expect(series).toEqual([{ name: 'training_val_loss', labels: { run_id: 'r1' }, points: [[0, 0.9], [1000, 0.8]] }]);
  });

  test('a frame without __name__ (e.g. SQL or TestData) uses the display name', () => {
    const f = toDataFrame({
      name: 'A',
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2] },
        { name: 'cpu', type: FieldType.number, values: [10, 20] },
        { name: 'host', type: FieldType.string, values: ['a', 'b'] },
      ],
    });
    expect(seriesFromFrames([f], 10, 100)).toEqual([{ name: 'cpu', labels: {}, points: [[1, 10], [2, 20]] }]);
  });

  test('frames without a time field and null values are skipped', () => {
    const noTime = toDataFrame({ fields: [{ name: 'v', type: FieldType.number, values: [1] }] });
    const withNull = toDataFrame({
      fields: [
        { name: 't', type: FieldType.time, values: [1, 2, 3] },
        { name: 'v', type: FieldType.number, values: [1, null, 3] },
      ],
    });
    expect(seriesFromFrames([noTime, withNull], 10, 100)[0].points).toEqual([[1, 1], [3, 3]]);
    expect(seriesFromFrames([noTime], 10, 100)).toEqual([]);
  });

  test('max series caps what is sent', () => {
    const frames = [1, 2, 3].map((i) => frame(`m${i}`, {}, [i]));
    expect(seriesFromFrames(frames, 2, 100).map((s) => s.name)).toEqual(['m1', 'm2']);
  });

  test('the shared run id is found only when all series agree', () => {
    expect(sharedRunId([{ name: 'a', labels: { run_id: 'r' }, points: [] }, { name: 'b', labels: { run_id: 'r' }, points: [] }])).toBe('r');
    expect(sharedRunId([{ name: 'a', labels: { run_id: 'r' }, points: [] }, { name: 'b', labels: { run_id: 's' }, points: [] }])).toBeUndefined();
  });
});

describe('downsample', () => {
  test('keeps at most max points, the last one exact, bucket means in between', () => {
    const points: Point[] = Array.from({ length: 101 }, (_, i) => [i, i]);
    const out = downsample(points, 11);
    expect(out).toHaveLength(11);
    expect(out[10]).toEqual([100, 100]);
    expect(out[0]).toEqual([9, 4.5]);
  });

  test('short series are untouched; a diverged (NaN) bucket stays NaN', () => {
    expect(downsample([[1, 1]], 5)).toEqual([[1, 1]]);
    const out = downsample([[1, 1], [2, 1], [3, NaN], [4, NaN], [5, 0]], 3);
    expect(out[0]).toEqual([2, 1]);
    expect(Number.isNaN(out[1][1])).toBe(true);
  });
});
