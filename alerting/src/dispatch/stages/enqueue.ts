import type { Database } from '@aihub/core';
import { buildNotification } from '../../types/notification';
import type { GroupFlush } from '../group-flush';
import type { Stage } from '../../types/stage';

/**
 * Writes the flush into the outbox and advances the group in one transaction. The group row
 * is updated only if nobody flushed it meanwhile (flushes = expected), and the outbox row's
 * dedup_key (group, channel, flush number) is unique, so a replayed flush enqueues nothing.
 */
export class EnqueueStage implements Stage<GroupFlush> {
  readonly name = 'enqueue';
  constructor(
    private readonly db: Database,
    private readonly externalURL: string,
    private readonly onEnqueued: () => void,
  ) {}

  async run(g: GroupFlush): Promise<GroupFlush | null> {
    const s = g.state;
    const flush = s.flushes + 1;
    const done = await this.db.transaction(async (tx) => {
      const updated = await tx.query(
        `UPDATE notification_groups SET last_flush_at = to_timestamp($2 / 1000.0), last_hash = $3, last_firing = $4::jsonb, flushes = $5
         WHERE group_key = $1 AND flushes = $6 RETURNING group_key`,
        [s.groupKey, g.now, g.hash, JSON.stringify(g.firing.map((a) => a.fingerprint)), flush, s.flushes],
      );
      if (!updated.length) return false;
      for (const d of g.deliveries ?? []) {
        const payload = buildNotification(d.channel, s.groupKey, s.groupLabels, d.alerts, this.externalURL);
        await tx.query(
          `INSERT INTO notification_outbox (dedup_key, channel, group_key, payload, next_attempt_at)
           VALUES ($1, $2, $3, $4::jsonb, to_timestamp($5 / 1000.0)) ON CONFLICT (dedup_key) DO NOTHING`,
          [`${s.groupKey}|${d.channel}|${flush}`, d.channel, s.groupKey, JSON.stringify(payload), g.now],
        );
      }
      return true;
    });
    if (!done) return null;
    if (g.deliveries?.length) this.onEnqueued();
    return g;
  }
}
