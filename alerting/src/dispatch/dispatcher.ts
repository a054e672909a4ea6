import type { Database, Logger } from '@aihub/core';
import type { RouteConfig } from '../config/schema';
import { applySilenceStatus } from '../incidents/store';
import type { Integration } from '../notify/integration';
import { runStages, type Stage } from '../types/stage';
import { DedupStage, type LogEntry } from './stages/dedup';
import { EnqueueStage } from './stages/enqueue';
import { MuteStage } from './stages/mute';
import { GroupWaitStage } from './stages/wait';
import { SilenceStore } from '../silence/store';
import { silences } from '../silence/silence';
import type { Alert } from '../types/alert';
import type { GroupFlush, GroupState } from './group-flush';
import { groupKeyOf, groupLabelsOf, matchingRoutes } from './routes';

export interface DispatcherDeps {
  db: Database;
  logger: Logger;
  routes: () => RouteConfig[];
  integrations: () => Map<string, Integration>;
  externalURL: () => string;
  /** Called after notifications were enqueued (wakes the outbox sender). */
  onEnqueued: () => void;
}

interface IncidentRow {
  id: string | number;
  fingerprint: string;
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  last_value: number | null;
  triggered_at: string | number;
  resolved_at: string | number | null;
  notify_once: boolean;
}

interface GroupRow {
  group_key: string;
  route: number;
  group_labels: Record<string, string>;
  first_seen: string | number;
  last_flush_at: string | number | null;
  last_hash: string | null;
  last_firing: string[];
  flushes: number;
}

/**
 * Routes alerts into aggregation groups and runs each group through the dispatch-side
 * stages (mute → group wait → dedup → enqueue). All its state is in the database, so a
 * restarted or newly elected replica carries on without re-sending.
 */
export class Dispatcher {
  constructor(private readonly deps: DispatcherDeps) {}

  /** Open incidents, plus the latest resolved incident of every fingerprint a group announced as firing. */
  private async loadAlerts(): Promise<Alert[]> {
    const rows = await this.deps.db.query<IncidentRow>(
      `SELECT id, fingerprint, status, labels, annotations, last_value, extract(epoch FROM triggered_at) * 1000 AS triggered_at,
              extract(epoch FROM resolved_at) * 1000 AS resolved_at, notify_once
       FROM alert_incidents WHERE status <> 'resolved'
       UNION ALL
       SELECT * FROM (
         SELECT DISTINCT ON (fingerprint) id, fingerprint, status, labels, annotations, last_value,
                extract(epoch FROM triggered_at) * 1000 AS triggered_at, extract(epoch FROM resolved_at) * 1000 AS resolved_at, notify_once
         FROM alert_incidents
         WHERE fingerprint IN (SELECT jsonb_array_elements_text(last_firing) FROM notification_groups)
         ORDER BY fingerprint, triggered_at DESC, id DESC) latest
       WHERE latest.status = 'resolved'`,
    );
    return rows.map((r) => ({
      fingerprint: r.fingerprint,
      incidentId: Number(r.id),
      status: r.status === 'resolved' ? 'resolved' : 'firing',
      labels: r.labels,
      annotations: r.annotations,
      value: r.last_value === null ? null : Number(r.last_value),
      startsAt: Math.round(Number(r.triggered_at)),
      endsAt: r.resolved_at === null ? null : Math.round(Number(r.resolved_at)),
      acknowledged: r.status === 'acknowledged',
      notifyOnce: r.notify_once,
    }));
  }

  private async loadGroups(): Promise<Map<string, GroupState>> {
    const rows = await this.deps.db.query<GroupRow>(
      `SELECT group_key, route, group_labels, extract(epoch FROM first_seen) * 1000 AS first_seen,
              extract(epoch FROM last_flush_at) * 1000 AS last_flush_at, last_hash, last_firing, flushes
       FROM notification_groups`,
    );
    return new Map(
      rows.map((r) => [
        r.group_key,
        {
          groupKey: r.group_key,
          route: r.route,
          groupLabels: r.group_labels,
          firstSeen: Math.round(Number(r.first_seen)),
          lastFlushAt: r.last_flush_at === null ? null : Math.round(Number(r.last_flush_at)),
          lastHash: r.last_hash,
          lastFiring: r.last_firing,
          flushes: r.flushes,
        },
      ]),
    );
  }

  private async loadLog(): Promise<Map<string, LogEntry>> {
    const rows = await this.deps.db.query<{
      group_key: string;
      channel: string;
      hash: string;
      sent_at: string | number;
    }>(
      'SELECT group_key, channel, hash, extract(epoch FROM sent_at) * 1000 AS sent_at FROM notification_log',
    );
    return new Map(
      rows.map((r) => [`${r.group_key}|${r.channel}`, { hash: r.hash, sentAt: Number(r.sent_at) }]),
    );
  }

  async tick(now: number): Promise<{ flushed: number; muted: number }> {
    const { db } = this.deps;
    const routes = this.deps.routes();
    const [alerts, groups, log, active] = await Promise.all([
      this.loadAlerts(),
      this.loadGroups(),
      this.loadLog(),
      new SilenceStore(db).list({ activeAt: now }),
    ]);

    // Incident status follows silences: open and muted → suppressed (evaluation continues).
    const mutedAll = alerts
      .filter((a) => a.status === 'firing' && active.some((s) => silences(s, a.labels, now)))
      .map((a) => a.fingerprint);
    await applySilenceStatus(db, mutedAll);

    const buckets = new Map<
      string,
      { route: number; groupLabels: Record<string, string>; firing: Alert[]; resolved: Alert[] }
    >();
    for (const a of alerts) {
      for (const idx of matchingRoutes(routes, a.labels)) {
        const groupLabels = groupLabelsOf(routes[idx], a.labels);
        const key = groupKeyOf(idx, groupLabels);
        if (a.status === 'resolved' && !groups.get(key)?.lastFiring.includes(a.fingerprint)) continue;
        let b = buckets.get(key);
        if (!b) buckets.set(key, (b = { route: idx, groupLabels, firing: [], resolved: [] }));
        (a.status === 'firing' ? b.firing : b.resolved).push(a);
      }
    }
    // New groups start their group_wait now.
    for (const [key, b] of buckets) {
      if (groups.has(key) || !b.firing.length) continue;
      await db.query(
        `INSERT INTO notification_groups (group_key, route, group_labels, first_seen) VALUES ($1, $2, $3::jsonb, to_timestamp($4 / 1000.0))
         ON CONFLICT (group_key) DO NOTHING`,
        [key, b.route, JSON.stringify(b.groupLabels), now],
      );
      groups.set(key, {
        groupKey: key,
        route: b.route,
        groupLabels: b.groupLabels,
        firstSeen: now,
        lastFlushAt: null,
        lastHash: null,
        lastFiring: [],
        flushes: 0,
      });
    }

    const stages: Stage<GroupFlush>[] = [
      new MuteStage(active),
      new GroupWaitStage(),
      new DedupStage(this.deps.integrations(), log),
      new EnqueueStage(db, this.deps.externalURL(), this.deps.onEnqueued),
    ];
    let flushed = 0;
    for (const [key, state] of groups) {
      const route = routes[state.route];
      const b = buckets.get(key);
      if (!route || !b || (!b.firing.length && !b.resolved.length)) {
        // The group is over (or its route is gone): forget it, so a new alert waits group_wait again.
        await db.query('DELETE FROM notification_groups WHERE group_key = $1 AND flushes = $2', [
          key,
          state.flushes,
        ]);
        continue;
      }
      const out = await runStages(stages, {
        now,
        route,
        state,
        firing: b.firing,
        resolved: b.resolved,
        muted: [],
      });
      if (out?.deliveries?.length) flushed++;
    }
    return { flushed, muted: mutedAll.length };
  }
}
