import { toPoint } from './trainingStream';
import { seriesOf } from '../components/LiveChart/LiveChart';

describe('training stream events', () => {
  test('a metrics_update becomes a point with its id, step and finite metrics', () => {
    const p = toPoint({
      event: 'metrics_update',
      id: '42',
      data: JSON.stringify({
        timestamp: '2026-12-02T00:00:00.000Z',
        event_type: 'metrics_update',
        data: {
          run_id: 'r1',
          epoch: 3,
          batch: 120,
          metrics: { train_loss: 0.5, val_loss: 'NaN', learning_rate: 0.001 },
        },
      }),
    });
    expect(p).toEqual({
      id: 42,
      runId: 'r1',
      time: Date.parse('2026-12-02T00:00:00.000Z'),
      epoch: 3,
      step: 120,
      metrics: { train_loss: 0.5, learning_rate: 0.001 },
    });
  });

  test('heartbeats, stream_closed, events without an id and broken JSON are not points', () => {
    expect(toPoint({ event: 'stream_closed', data: '{}' })).toBeNull();
    expect(toPoint({ event: 'metrics_update', data: '{}' })).toBeNull();
    expect(toPoint({ event: 'metrics_update', id: '7', data: '{oops' })).toBeNull();
  });

  test('series by metric, x by step, a metric a point lacks is skipped there', () => {
    const pt = (id: number, step: number | null, metrics: Record<string, number>) => ({
      id,
      runId: 'r',
      time: 1000 + id,
      epoch: null,
      step,
      metrics,
    });
    const series = seriesOf(
      [pt(1, 10, { train_loss: 1 }), pt(2, 20, { train_loss: 0.8, val_loss: 0.9 }), pt(3, null, { train_loss: 0.7 })],
      ['train_loss', 'val_loss', 'train_accuracy']
    );
    expect(series).toEqual([
      {
        metric: 'train_loss',
        points: [
          [10, 1],
          [20, 0.8],
          [1003, 0.7],
        ],
      },
      { metric: 'val_loss', points: [[20, 0.9]] },
    ]);
  });
});
