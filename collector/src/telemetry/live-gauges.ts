import type { Attributes } from '@opentelemetry/api';

interface Entry {
  value: number;
  attrs: Attributes;
  owner: string;
}

/**
 * Last values of gauges that belong to an owner (a training run, a host). An owner that has
 * not reported for ttlMs drops out, so finished runs and gone hosts leave /metrics.
 */
export class LiveGauges {
  private readonly values = new Map<string, Map<string, Entry>>();
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  set(name: string, attrs: Attributes, value: number, owner: string, atMs: number): void {
    let byAttrs = this.values.get(name);
    if (!byAttrs) {
      byAttrs = new Map();
      this.values.set(name, byAttrs);
    }
    byAttrs.set(owner + '\u0000' + JSON.stringify(attrs), { value, attrs, owner });
    // Reported time, not arrival: a backfill of old data does not make a run look live.
    const seen = Math.min(atMs, this.now());
    this.lastSeen.set(owner, Math.max(this.lastSeen.get(owner) ?? 0, seen));
  }

  drop(owner: string): void {
    this.lastSeen.delete(owner);
    for (const byAttrs of this.values.values()) {
      for (const [k, e] of byAttrs) if (e.owner === owner) byAttrs.delete(k);
    }
  }

  /** Owners seen within the TTL. */
  active(): string[] {
    this.expire();
    return [...this.lastSeen.keys()];
  }

  observe(name: string, emit: (value: number, attrs: Attributes) => void): void {
    this.expire();
    for (const e of this.values.get(name)?.values() ?? []) emit(e.value, e.attrs);
  }

  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [owner, seen] of this.lastSeen) if (seen < cutoff) this.drop(owner);
  }
}
