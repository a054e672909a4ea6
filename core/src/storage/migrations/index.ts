import type { Migration } from './migration';
import { metrics } from './0001_metrics';
import { alerting } from './0002_alerting';

/** Every schema change, oldest first. Append new migrations; never edit an applied one. */
export const migrations: Migration[] = [metrics, alerting];
export type { Migration };
