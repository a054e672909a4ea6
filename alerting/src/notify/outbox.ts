import type { Database, Logger } from '@aihub/core';
import type { Notification } from '../types/notification';
import type { AlertingMetrics } from '../metrics';
import type { Integration } from './integration';
import type { OutboxItem, RetryPolicy } from './outbox-item';
import { runStages, type Stage } from '../types/stage';
import { RecordStage } from './stages/record';
import { SendWithRetryStage } from './stages/send';

export interface OutboxDeps {
  db: Database;
  logger: Logger;
  metrics?: AlertingMetrics;
  integrations: () => Map<string, Integration>;
  retry: () => RetryPolicy;
  now: () => number;
  /** Optional enrichment before sending (probable cause); must respect its own time budget. */
  enrich?: (n: Notification) => Promise<Notification>;
}

interface Row {
  id: string | number;
  channel: string;
  group_key: string;
  payload: Notification;
  attempts: number;
}

export interface OutboxRecord {
  id: number;
  channel: string;
  group_key: string;
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string;
  created_at: string;
  sent_at: string | null;
  payload: Notification;
}

/**
 * Delivers the persistent outbox: due rows are sent through send → record. Channels run in
 * parallel (one failing never holds up another); within a channel and group rows go in order,
 * so a resolution never overtakes its firing notification.
 */
export class OutboxSender {
  private running = false;
  private pending: Record<string, number> = {};

  constructor(private readonly deps: OutboxDeps) {}

  /** Last counted pending rows per channel (for the /metrics gauge). */
  pendingByChannel(): Record<string, number> {
    return this.pending;
  }

  /** Sends what is due now; returns the number of rows attempted. Never runs twice at once. */
  async runOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.deliverDue();
    } finally {
      this.running = false;
    }
  }

  private async deliverDue(): Promise<number> {
    const { db } = this.deps;
    const now = this.deps.now();
    const rows = await db.query<Row>(
      `SELECT id, channel, group_key, payload, attempts FROM notification_outbox o
       WHERE status = 'pending' AND next_attempt_at <= to_timestamp($1 / 1000.0)
         AND NOT EXISTS (SELECT 1 FROM notification_outbox p
                         WHERE p.status = 'pending' AND p.channel = o.channel AND p.group_key = o.group_key AND p.id < o.id)
       ORDER BY id LIMIT 200`,
      [now],
    );
    const counts = await db.query<{ channel: string; n: string | number }>(
      `SELECT channel, count(*) AS n FROM notification_outbox WHERE status = 'pending' GROUP BY channel`,
    );
    this.pending = Object.fromEntries(counts.map((c) => [c.channel, Number(c.n)]));
    if (!rows.length) return 0;
    const integrations = this.deps.integrations();
    const stages: Stage<OutboxItem>[] = [
      new SendWithRetryStage(db, integrations, this.deps.retry(), this.deps.logger, this.deps.metrics),
      new RecordStage(db, this.deps.metrics),
    ];
    const byChannel = new Map<string, Row[]>();
    for (const r of rows) byChannel.set(r.channel, [...(byChannel.get(r.channel) ?? []), r]);
    await Promise.all(
      [...byChannel.values()].map(async (list) => {
        for (const r of list) {
          let payload = r.payload;
          if (this.deps.enrich) payload = await this.deps.enrich(payload).catch(() => payload);
          const item: OutboxItem = {
            id: Number(r.id),
            channel: r.channel,
            groupKey: r.group_key,
            payload,
            attempts: r.attempts,
            now: this.deps.now(),
          };
          await runStages(stages, item).catch((err) =>
            this.deps.logger.error('outbox delivery failed', { id: item.id, err }),
          );
        }
      }),
    );
    return rows.length;
  }

  async list(filter: { status?: string; channel?: string; limit?: number } = {}): Promise<OutboxRecord[]> {
    const rows = await this.deps.db.query<OutboxRecord & { id: string | number }>(
      `SELECT id, channel, group_key, status, attempts, last_error, next_attempt_at, created_at, sent_at, payload
       FROM notification_outbox WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR channel = $2)
       ORDER BY id DESC LIMIT $3`,
      [filter.status ?? null, filter.channel ?? null, filter.limit ?? 200],
    );
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
    return rows.map((r) => ({
      ...r,
      id: Number(r.id),
      next_attempt_at: iso(r.next_attempt_at)!,
      created_at: iso(r.created_at)!,
      sent_at: iso(r.sent_at),
    }));
  }

  /** Puts a dead letter back in the queue (after the receiver is fixed). */
  async retryDead(id: number): Promise<boolean> {
    const rows = await this.deps.db.query(
      `UPDATE notification_outbox SET status = 'pending', attempts = 0, next_attempt_at = to_timestamp($2 / 1000.0) WHERE id = $1 AND status = 'dead' RETURNING id`,
      [id, this.deps.now()],
    );
    return rows.length === 1;
  }
}
