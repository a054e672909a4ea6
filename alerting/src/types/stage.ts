/**
 * A notification passes through a chain of small stages (Alertmanager's notify pipeline):
 * dispatch side  mute (silences) → group wait → dedup → enqueue into the persistent outbox;
 * delivery side  send with retry → record.
 * Each stage does one thing and returns the item to pass on, or null to stop here.
 */
export interface Stage<T> {
  readonly name: string;
  run(item: T): Promise<T | null>;
}

export async function runStages<T>(stages: readonly Stage<T>[], item: T): Promise<T | null> {
  let cur: T | null = item;
  for (const s of stages) {
    if (cur === null) return null;
    cur = await s.run(cur);
  }
  return cur;
}
