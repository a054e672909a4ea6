import type { Queryable } from '@aihub/core';

/**
 * Leadership between alerting replicas on one PostgreSQL: a single-row lease with an expiry
 * (database clock, so replicas' clocks do not matter). The holder renews it every cycle; when
 * it dies, another replica takes over once the lease expires — within one evaluation interval
 * plus the lease time. Only the leader evaluates and notifies, so each event is sent once;
 * the outbox's unique keys and the group's optimistic update cover a leader that stalls past
 * its lease and wakes up.
 */
export class LeaderLease {
  constructor(
    private readonly db: Queryable,
    readonly holder: string,
    private readonly ttlMs: () => number,
  ) {}

  /** Takes or renews the lease; true when this replica leads. */
  async acquire(): Promise<boolean> {
    const rows = await this.db.query<{ holder: string }>(
      `INSERT INTO alerting_leader (id, holder, expires_at) VALUES (1, $1, clock_timestamp() + $2 * interval '1 millisecond')
       ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE alerting_leader.holder = EXCLUDED.holder OR alerting_leader.expires_at < clock_timestamp()
       RETURNING holder`,
      [this.holder, this.ttlMs()],
    );
    return rows.length === 1;
  }

  /** Gives the lease up (clean shutdown), so another replica need not wait for it to expire. */
  async release(): Promise<void> {
    await this.db.query('DELETE FROM alerting_leader WHERE id = 1 AND holder = $1', [this.holder]);
  }

  async current(): Promise<{ holder: string; expiresAt: string } | null> {
    const rows = await this.db.query<{ holder: string; expires_at: Date | string }>(
      'SELECT holder, expires_at FROM alerting_leader WHERE id = 1',
    );
    return rows[0] ? { holder: rows[0].holder, expiresAt: new Date(rows[0].expires_at).toISOString() } : null;
  }
}
