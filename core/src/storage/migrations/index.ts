import type { Migration } from './migration';
import { metrics } from './0001_metrics';

/** Every schema change, oldest first. Append new migrations; never edit an applied one. */
export const migrations: Migration[] = [metrics];
export type { Migration };
