import type { Migration } from './migration';
import { metrics } from './0001_metrics';
import { alerting } from './0002_alerting';
import { tensorboard } from './0003_tensorboard';
import { rollups } from './0004_rollups';

/** Every schema change, oldest first. Append new migrations; never edit an applied one. */
export const migrations: Migration[] = [metrics, alerting, tensorboard, rollups];
export type { Migration };
