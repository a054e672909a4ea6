import type { Migration } from './migration';
import { metrics } from './0001_metrics';
import { alerting } from './0002_alerting';
import { tensorboard } from './0003_tensorboard';
import { repairUnreadableRows } from './0004_repair_unreadable_rows';
import { budgets } from './0005_budgets';
import { rollups } from './0006_rollups';
import { rollupsOneScan } from './0007_rollups_one_scan';

/** Every schema change, oldest first. Append new migrations; never edit an applied one. */
export const migrations: Migration[] = [
  metrics,
  alerting,
  tensorboard,
  repairUnreadableRows,
  budgets,
  rollups,
  rollupsOneScan,
];
export type { Migration };
