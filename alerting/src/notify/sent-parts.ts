/**
 * Parts of a notification (recipients, alerts) already delivered, per outbox row id, so that a
 * retry after a partial failure sends only what is missing. In memory: after a crash between
 * parts the earlier ones may be sent again (at least once, as the outbox promises).
 */
export class SentParts {
  private readonly sent = new Map<number, Set<string>>();

  constructor(private readonly max = 1000) {}

  has(id: number | undefined, part: string): boolean {
    return id !== undefined && (this.sent.get(id)?.has(part) ?? false);
  }

  add(id: number | undefined, part: string): void {
    if (id === undefined) return;
    let s = this.sent.get(id);
    if (!s) {
      if (this.sent.size >= this.max) this.sent.delete(this.sent.keys().next().value!);
      this.sent.set(id, (s = new Set()));
    }
    s.add(part);
  }

  /** The notification is fully delivered: forget it. */
  done(id: number | undefined): void {
    if (id !== undefined) this.sent.delete(id);
  }
}
