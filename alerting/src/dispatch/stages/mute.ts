import type { GroupFlush } from '../group-flush';
import { silences, type Silence } from '../../silence/silence';
import type { Stage } from '../../types/stage';

/** Drops firing alerts muted by an active silence (evaluation goes on; only notifying stops). */
export class MuteStage implements Stage<GroupFlush> {
  readonly name = 'mute';
  constructor(private readonly active: Silence[]) {}

  async run(g: GroupFlush): Promise<GroupFlush> {
    const muted = g.firing.filter((a) => this.active.some((s) => silences(s, a.labels, g.now)));
    if (!muted.length) return g;
    const ids = new Set(muted.map((a) => a.fingerprint));
    return { ...g, firing: g.firing.filter((a) => !ids.has(a.fingerprint)), muted: [...ids] };
  }
}
