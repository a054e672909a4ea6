/* eslint-disable @typescript-eslint/no-explicit-any -- tests read JSON answers */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createTestStorage } from '@aihub/core/testing';
import { startTestCollector, type TestCollector } from '../testing/test-collector';
import { crc32c } from './crc32c';
import { scanTfRecords } from './tfrecord';
import { appendRecords, encodeEvent, frameRecord } from './testing-tfevents';
import { metricKeyForTag } from './tag-mapping';

const wall = (offsetSec: number) => Date.now() / 1000 - 600 + offsetSec;

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function events(c: TestCollector, runId: string) {
  return c.collector.context.db.query<{
    step: number;
    metrics: Record<string, number>;
    epoch: number | null;
  }>('SELECT step, epoch, metrics FROM training_events WHERE run_id = $1 ORDER BY step, id', [runId]);
}

async function fileRow(c: TestCollector, rel: string) {
  const [row] = await c.collector.context.db.query<any>(
    'SELECT "offset", pending_end, records, corrupt_records FROM tensorboard_files WHERE path = $1',
    [rel],
  );
  return (
    row && {
      offset: Number(row.offset),
      pending: row.pending_end,
      records: Number(row.records),
      corrupt: Number(row.corrupt_records),
    }
  );
}

describe('TFRecord framing', () => {
  test('crc32c matches the Castagnoli check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  test('a half-written record is left for later; a bad data checksum is skipped; a bad header resynchronises', () => {
    const a = frameRecord(Buffer.from('first'));
    const b = frameRecord(Buffer.from('second'));
    const c = frameRecord(Buffer.from('third'));
    const half = scanTfRecords(Buffer.concat([a, b.subarray(0, 10)]));
    expect(half.records.map((r) => r.data.toString())).toEqual(['first']);
    expect(half.consumed).toBe(a.length);
    const badData = Buffer.from(b);
    badData[14] ^= 0xff;
    const skipped = scanTfRecords(Buffer.concat([a, badData, c]));
    expect(skipped.records.map((r) => r.data.toString())).toEqual(['first', 'third']);
    expect(skipped.corrupt).toEqual([{ offset: a.length, reason: 'bad data checksum' }]);
    const badHeader = Buffer.from(b);
    badHeader[9] ^= 0xff;
    const resync = scanTfRecords(Buffer.concat([a, badHeader, c]));
    expect(resync.records.map((r) => r.data.toString())).toEqual(['first', 'third']);
    expect(resync.corrupt).toHaveLength(1);
  });

  test('common tags map to the standard names; split directories turn loss into val_loss', () => {
    expect(metricKeyForTag('loss')).toBe('train_loss');
    expect(metricKeyForTag('Loss/Val')).toBe('val_loss');
    expect(metricKeyForTag('train/acc')).toBe('train_accuracy');
    expect(metricKeyForTag('lr')).toBe('learning_rate');
    expect(metricKeyForTag('grad_norm')).toBe('gradient_norm');
    expect(metricKeyForTag('epoch_loss', 'val')).toBe('val_loss');
    expect(metricKeyForTag('perf/throughput (img/s)')).toBe('perf_throughput_img_s');
    expect(metricKeyForTag('1st-layer')).toBe('_1st_layer');
  });
});

describe('TensorBoard tailing', () => {
  let logdir: string;
  beforeEach(() => {
    logdir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-tb-'));
  });
  afterEach(() => fs.rmSync(logdir, { recursive: true, force: true }));
  const env = () => ({ TENSORBOARD_LOGDIR: logdir, TENSORBOARD_POLL_INTERVAL: '50ms' });

  test('exact scalars from simple_value and rank-0 float/double tensors, growing files and new files', async () => {
    fs.mkdirSync(path.join(logdir, 'resnet/lr3e-4'), { recursive: true });
    const file = path.join(logdir, 'resnet/lr3e-4/events.out.tfevents.1700000000.host.1.v2');
    appendRecords(file, [
      encodeEvent(wall(0), 0, [], 'brain.Event:2'),
      encodeEvent(wall(1), 1, [
        { tag: 'loss', simple: 0.75 },
        { tag: 'lr', simple: 0.001 },
      ]),
      encodeEvent(wall(2), 2, [{ tag: 'loss/val', tensorFloat: 0.5 }]),
      encodeEvent(wall(2), 2, [{ tag: 'custom/weird tag', tensorDouble: 1 / 3 }]),
      encodeEvent(wall(3), 3, [
        { tag: 'grad_norm', tensorDouble: 12345.678901234, viaContent: true },
        { tag: 'epoch', simple: 1 },
      ]),
      encodeEvent(wall(4), 4, [{ tag: 'acc', tensorFloat: 0.25, packed: false }]),
    ]);
    const c = await startTestCollector({ env: env() });
    try {
      await waitUntil(async () => (await events(c, 'resnet/lr3e-4')).length === 4, 'four items');
      const got = await events(c, 'resnet/lr3e-4');
      expect(got.map((e) => [Number(e.step), e.metrics])).toEqual([
        [1, { train_loss: Math.fround(0.75), learning_rate: Math.fround(0.001) }],
        [2, { val_loss: 0.5, custom_weird_tag: 1 / 3 }],
        [3, { gradient_norm: 12345.678901234 }],
        [4, { train_accuracy: 0.25 }],
      ]);
      expect(Number(got[2].epoch)).toBe(1);
      // The file grows, and a Keras-style run appears with train/validation subdirectories.
      appendRecords(file, [encodeEvent(wall(5), 5, [{ tag: 'loss', simple: 0.5 }])]);
      fs.mkdirSync(path.join(logdir, 'keras/validation'), { recursive: true });
      appendRecords(path.join(logdir, 'keras/validation/events.out.tfevents.1.h'), [
        encodeEvent(wall(1), 1, [{ tag: 'epoch_loss', tensorFloat: 0.125 }]),
      ]);
      await waitUntil(
        async () =>
          (await events(c, 'resnet/lr3e-4')).length === 5 && (await events(c, 'keras')).length === 1,
        'growth and new file',
      );
      expect((await events(c, 'keras'))[0].metrics).toEqual({ val_loss: 0.125 });
      const stored = await c.get(
        `/v1/query_range?name=training_train_loss&run_id=${encodeURIComponent('resnet/lr3e-4')}&from=0`,
      );
      expect(stored.body.series[0].points.map((p: number[]) => p[1])).toEqual([0.75, 0.5]);
    } finally {
      await c.stop();
    }
  });

  test('a truncated last record waits for its remaining bytes; a corrupt record is counted and skipped', async () => {
    const rel = 'events.out.tfevents.2.h';
    const file = path.join(logdir, rel);
    const runId = path.basename(logdir);
    const c = await startTestCollector({ env: env() });
    try {
      appendRecords(file, [encodeEvent(wall(1), 1, [{ tag: 'loss', simple: 1 }])]);
      const next = frameRecord(encodeEvent(wall(2), 2, [{ tag: 'loss', simple: 2 }]));
      fs.appendFileSync(file, next.subarray(0, 20));
      await waitUntil(async () => (await events(c, runId)).length === 1, 'first record');
      await new Promise((r) => setTimeout(r, 300)); // several polls see the half record
      expect(await events(c, runId)).toHaveLength(1);
      expect((await fileRow(c, rel)).corrupt).toBe(0);
      fs.appendFileSync(file, next.subarray(20));
      await waitUntil(async () => (await events(c, runId)).length === 2, 'completed record');

      const bad = frameRecord(encodeEvent(wall(3), 3, [{ tag: 'loss', simple: 3 }]));
      bad[bad.length - 6] ^= 0x55; // flip a data byte: the data checksum fails
      fs.appendFileSync(
        file,
        Buffer.concat([bad, frameRecord(encodeEvent(wall(4), 4, [{ tag: 'loss', simple: 4 }]))]),
      );
      await waitUntil(async () => (await events(c, runId)).length === 3, 'record after the corrupt one');
      expect((await events(c, runId)).map((e) => e.metrics.train_loss)).toEqual([1, 2, 4]);
      expect(await fileRow(c, rel)).toMatchObject({
        corrupt: 1,
        records: 3,
        offset: fs.statSync(file).size,
        pending: null,
      });
      const exposition = await (await c.request('/metrics')).text();
      expect(exposition).toMatch(/aihub_tensorboard_records_total\{outcome="corrupt"[^}]*\} 1\b/);
      expect(exposition).toMatch(/aihub_tensorboard_records_total\{outcome="read"[^}]*\} 3\b/);
    } finally {
      await c.stop();
    }
  });

  test('a restart resumes from stored offsets with no duplicates, even after a crash between commit and offset update', async () => {
    const storage = await createTestStorage('pglite');
    const rel = 'run-a/events.out.tfevents.3.h';
    fs.mkdirSync(path.join(logdir, 'run-a'));
    const file = path.join(logdir, rel);
    appendRecords(
      file,
      [1, 2, 3].map((s) => encodeEvent(wall(s), s, [{ tag: 'loss', simple: s }])),
    );
    let c = await startTestCollector({ storage, env: env() });
    await waitUntil(async () => (await events(c, 'run-a')).length === 3, 'first pass');
    const end = (await fileRow(c, rel)).offset;
    // As if the process died after the data committed but before the offset was saved:
    await c.collector.context.db.query(
      'UPDATE tensorboard_files SET "offset" = 0, pending_end = $1 WHERE path = $2',
      [end, rel],
    );
    await c.stop();
    appendRecords(
      file,
      [4, 5].map((s) => encodeEvent(wall(s), s, [{ tag: 'loss', simple: s }])),
    );
    c = await startTestCollector({ storage, env: env() });
    try {
      await waitUntil(async () => (await events(c, 'run-a')).length >= 5, 'resumed pass');
      await new Promise((r) => setTimeout(r, 300));
      expect((await events(c, 'run-a')).map((e) => e.metrics.train_loss)).toEqual([1, 2, 3, 4, 5]);
      expect(await fileRow(c, rel)).toMatchObject({ offset: fs.statSync(file).size, pending: null });
      const samples = await c.get(`/v1/query_range?name=training_train_loss&run_id=run-a&from=0`);
      expect(samples.body.series[0].points).toHaveLength(5);
    } finally {
      await c.stop();
      await storage.cleanup();
    }
  });
});
