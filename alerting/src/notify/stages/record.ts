import type { Database } from '@aihub/core';
import { alertSetHash } from '../../types/alert-set';
import type { AlertingMetrics } from '../../metrics';
import type { OutboxItem } from '../outbox-item';
import type { Stage } from '../../types/stage';

/** Marks the row delivered and writes the notification log (what dedup reads). */
export class RecordStage implements Stage<OutboxItem> {
  readonly name = 'record';
  constructor(
    private readonly db: Database,
    private readonly metrics?: AlertingMetrics,
  ) {}

  async run(item: OutboxItem): Promise<OutboxItem> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE notification_outbox SET status = 'sent', attempts = attempts + 1, sent_at = to_timestamp($2 / 1000.0), last_error = NULL WHERE id = $1`,
        [item.id, item.now],
      );
      await tx.query(
        `INSERT INTO notification_log (group_key, channel, hash, sent_at) VALUES ($1, $2, $3, to_timestamp($4 / 1000.0))
         ON CONFLICT (group_key, channel) DO UPDATE SET hash = EXCLUDED.hash, sent_at = EXCLUDED.sent_at`,
        [item.groupKey, item.channel, alertSetHash(item.payload.alerts), item.now],
      );
    });
    this.metrics?.notification(item.channel, 'sent');
    return item;
  }
}
