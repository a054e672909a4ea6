import { parseDuration, envString, type Env } from '@aihub/core';
import type { CollectorFeature } from '../collector';
import { TensorboardTailer } from './tensorboard-tailer';

/** TensorBoard log tailing, on when TENSORBOARD_LOGDIR is set (poll: TENSORBOARD_POLL_INTERVAL, default 2s). */
export function tensorboardFeature(
  logdir: string,
  env: Env = process.env,
): CollectorFeature & { tailer(): TensorboardTailer | undefined } {
  const pollIntervalMs = parseDuration(envString(env, 'TENSORBOARD_POLL_INTERVAL') ?? '2s');
  let tailer: TensorboardTailer | undefined;
  return {
    name: 'tensorboard',
    tailer: () => tailer,
    start(ctx) {
      tailer = new TensorboardTailer({
        db: ctx.db,
        ingest: ctx.ingest,
        logger: ctx.logger,
        logdir,
        pollIntervalMs,
        limits: ctx.config.limits,
      });
      tailer.start();
      const t = tailer;
      ctx.telemetry.meter
        .createObservableCounter('aihub.tensorboard.records', {
          description:
            'TFRecord records read from tfevents files, by outcome (stored or corrupt and skipped)',
        })
        .addCallback((r) => {
          r.observe(t.stats.records, { outcome: 'read' });
          r.observe(t.stats.corruptRecords, { outcome: 'corrupt' });
        });
      ctx.logger.info('tailing TensorBoard logs', { logdir, pollIntervalMs });
    },
    async stop() {
      await tailer?.stop();
    },
  };
}
