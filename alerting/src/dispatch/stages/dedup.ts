import { alertSetHash } from '../../types/alert-set';
import type { GroupFlush } from '../group-flush';
import type { Integration } from '../../notify/integration';
import type { Stage } from '../../types/stage';

export interface LogEntry {
  hash: string;
  sentAt: number;
}

/**
 * Per channel: what it gets (resolved alerts only where send_resolved), and nothing when the
 * notification log shows it already received exactly this within repeat_interval — so a
 * restart, a failover or a resolution on a channel without send_resolved sends nothing twice.
 */
export class DedupStage implements Stage<GroupFlush> {
  readonly name = 'dedup';
  constructor(
    private readonly integrations: Map<string, Integration>,
    private readonly log: Map<string, LogEntry>,
  ) {}

  async run(g: GroupFlush): Promise<GroupFlush | null> {
    const deliveries: { channel: string; alerts: typeof g.firing }[] = [];
    for (const channel of g.route.channels) {
      const integration = this.integrations.get(channel);
      if (!integration) continue;
      const alerts = integration.sendResolved ? [...g.firing, ...g.resolved] : g.firing;
      if (!alerts.length) continue;
      const last = this.log.get(`${g.state.groupKey}|${channel}`);
      if (last && last.hash === alertSetHash(alerts) && g.now - last.sentAt < g.route.repeat_interval)
        continue;
      deliveries.push({ channel, alerts });
    }
    // Even with nothing to send, the group's state moves on (e.g. a resolution nobody wants).
    return { ...g, deliveries };
  }
}
