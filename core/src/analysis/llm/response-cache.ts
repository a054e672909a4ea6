/**
 * LRU cache with a time-to-live and hit-rate statistics, for LLM answers to identical
 * requests (the original plan: LRU + TTL, `cleanupExpired()`, stats with hit rate).
 * A Map keeps insertion order, so re-inserting on access makes its first key the LRU one.
 */
export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses); 0 before the first lookup. */
  hit_rate: number;
  size: number;
  evictions: number;
  expired: number;
}

export class LruTtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private expired = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e || e.expiresAt <= this.now()) {
      if (e) {
        this.entries.delete(key);
        this.expired++;
      }
      this.misses++;
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    this.hits++;
    return e.value;
  }

  set(key: string, value: V): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
      this.evictions++;
    }
  }

  /** Drops expired entries; returns how many. */
  cleanupExpired(): number {
    const now = this.now();
    let n = 0;
    for (const [k, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(k);
        n++;
      }
    }
    this.expired += n;
    return n;
  }

  stats(): CacheStats {
    const lookups = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      hit_rate: lookups ? this.hits / lookups : 0,
      size: this.entries.size,
      evictions: this.evictions,
      expired: this.expired,
    };
  }
}
