/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import { startTestCollector, type TestCollector } from '../testing/test-collector';

describe('training runs API', () => {
  let c: TestCollector;
  const now = Date.now();
  beforeAll(async () => {
    c = await startTestCollector({ env: { TRAINING_STALE_AFTER: '5m' } });
    const model_info = { name: 'ResNet50', parameters: 25557032 };
    expect(
      (
        await c.push({
          training: [
            {
              run_id: 'live',
              ts: now - 60_000,
              epoch: 1,
              step: 10,
              metrics: { train_loss: 0.9, val_loss: 1.0 },
              model_info,
            },
            {
              run_id: 'live',
              ts: now - 30_000,
              epoch: 2,
              step: 20,
              metrics: { train_loss: 0.7, val_loss: 0.8 },
            },
            { run_id: 'old', ts: now - 3_600_000, epoch: 5, metrics: { train_loss: 0.5 } },
            { run_id: 'done', ts: now - 7_200_000, epoch: 1, metrics: { train_loss: 0.4 } },
            {
              run_id: 'done',
              ts: now - 7_100_000,
              epoch: 2,
              metrics: { train_loss: 0.3 },
              status: 'finished',
            },
          ],
        })
      ).status,
    ).toBe(202);
  });
  afterAll(() => c.stop());

  test('lists runs with model, parameters, last epoch and running / stale / finished status', async () => {
    const { status, body } = await c.get('/v1/training/runs');
    expect(status).toBe(200);
    const byId = Object.fromEntries(body.runs.map((r: any) => [r.run_id, r]));
    expect(byId.live).toMatchObject({
      model_name: 'ResNet50',
      parameters: 25557032,
      last_epoch: 2,
      last_step: 20,
      status: 'running',
      first_seen: new Date(now - 60_000).toISOString(),
      last_seen: new Date(now - 30_000).toISOString(),
    });
    expect(byId.old.status).toBe('stale');
    expect(byId.done.status).toBe('finished');
    expect(byId.done.finished_at).toBe(new Date(now - 7_100_000).toISOString());
    expect((await c.get('/v1/training/runs?status=stale')).body.runs.map((r: any) => r.run_id)).toEqual([
      'old',
    ]);
    expect((await c.get('/v1/training/runs?status=bogus')).status).toBe(400);
  });

  test('one run with its latest metrics, and its metric series by name and time', async () => {
    const one = await c.get('/v1/training/runs/live');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ run_id: 'live', events: 2, metric_names: ['train_loss', 'val_loss'] });
    expect(one.body.latest).toMatchObject({
      epoch: 2,
      step: 20,
      metrics: { train_loss: 0.7, val_loss: 0.8 },
    });
    expect((await c.get('/v1/training/runs/nope')).status).toBe(404);

    const m = await c.get('/v1/training/runs/live/metrics?names=val_loss,epoch');
    expect(m.body.series).toEqual([
      {
        name: 'val_loss',
        points: [
          [now - 60_000, 1.0],
          [now - 30_000, 0.8],
        ],
      },
      {
        name: 'epoch',
        points: [
          [now - 60_000, 1],
          [now - 30_000, 2],
        ],
      },
    ]);
    const later = await c.get(`/v1/training/runs/live/metrics?from=${now - 45_000}`);
    expect(later.body.series.map((s: any) => s.name)).toEqual(['epoch', 'step', 'train_loss', 'val_loss']);
    expect(later.body.series[2].points).toEqual([[now - 30_000, 0.7]]);
    expect((await c.get('/v1/training/runs/live/metrics?names=bad-name')).status).toBe(400);
    expect((await c.get('/v1/training/runs/nope/metrics')).status).toBe(404);
  });
});
