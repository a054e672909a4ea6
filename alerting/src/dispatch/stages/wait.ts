import { alertSetHash } from '../../types/alert-set';
import type { GroupFlush } from '../group-flush';
import type { Stage } from '../../types/stage';

/**
 * Group timing: the first notification of a group waits group_wait (to collect its
 * siblings); a changed group waits group_interval after the last; an unchanged group with
 * unacknowledged firing alerts repeats after repeat_interval (notify-once alerts never repeat).
 */
export class GroupWaitStage implements Stage<GroupFlush> {
  readonly name = 'group_wait';

  async run(g: GroupFlush): Promise<GroupFlush | null> {
    const { state, route, now } = g;
    const hash = alertSetHash([...g.firing, ...g.resolved]);
    if (state.lastFlushAt === null) {
      if (!g.firing.length) return null;
      return now >= state.firstSeen + route.group_wait ? { ...g, hash } : null;
    }
    if (hash !== state.lastHash)
      return now >= state.lastFlushAt + route.group_interval ? { ...g, hash } : null;
    const repeat =
      g.firing.some((a) => !a.acknowledged && !a.notifyOnce) &&
      now >= state.lastFlushAt + route.repeat_interval;
    return repeat ? { ...g, hash } : null;
  }
}
