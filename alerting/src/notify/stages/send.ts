import type { Database, Logger } from '@aihub/core';
import type { AlertingMetrics } from '../../metrics';
import { DeliveryError, type Integration } from '../integration';
import { backoffMs, type OutboxItem, type RetryPolicy } from '../outbox-item';
import type { Stage } from '../../types/stage';

/**
 * Hands the notification to its channel. On failure the row stays in the outbox with the
 * next attempt pushed back (exponential backoff, Retry-After honoured); after max_attempts,
 * or on a permanent error, it becomes a dead letter (visible in /v1/notifications and /metrics).
 */
export class SendWithRetryStage implements Stage<OutboxItem> {
  readonly name = 'send';
  constructor(
    private readonly db: Database,
    private readonly integrations: Map<string, Integration>,
    private readonly policy: RetryPolicy,
    private readonly logger: Logger,
    private readonly metrics?: AlertingMetrics,
  ) {}

  async run(item: OutboxItem): Promise<OutboxItem | null> {
    const integration = this.integrations.get(item.channel);
    try {
      if (!integration) throw new DeliveryError(`channel "${item.channel}" is no longer configured`, false);
      await integration.send({ ...item.payload, id: item.id });
      return item;
    } catch (err) {
      const e =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(`${item.channel}: ${(err as Error).message}`, true);
      const attempts = item.attempts + 1;
      const dead = !e.retryable || attempts >= this.policy.max_attempts;
      const next = item.now + backoffMs(this.policy, attempts, e.retryAfterMs);
      await this.db.query(
        `UPDATE notification_outbox SET attempts = $2, last_error = $3, status = $4, next_attempt_at = to_timestamp($5 / 1000.0) WHERE id = $1`,
        [item.id, attempts, e.message.slice(0, 2000), dead ? 'dead' : 'pending', next],
      );
      this.metrics?.notification(item.channel, dead ? 'dead' : 'failed');
      this.logger[dead ? 'error' : 'warn'](
        dead ? 'notification dead-lettered' : 'notification failed; will retry',
        {
          id: item.id,
          channel: item.channel,
          attempts,
          error: e.message,
          ...(dead ? {} : { retry_in_ms: next - item.now }),
        },
      );
      return null;
    }
  }
}
