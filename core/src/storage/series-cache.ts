import { setImmediate as nextTurn } from 'timers/promises';
import type { Queryable } from './database';

/** New series inserted per statement. */
const RESOLVE_PER_STATEMENT = 1_000;

/** Canonical text of a label set: keys sorted, so {a,b} and {b,a} are one series. */
export function canonicalLabels(labels: Record<string, string>): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '{}';
  keys.sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = labels[k];
  return JSON.stringify(sorted);
}

/**
 * Maps (name, labels) to metric_series.id, creating series on first sight. Ids never change,
 * so a bounded in-memory map saves the lookup on the hot path.
 */
export class SeriesCache {
  private readonly ids = new Map<string, number>();
  // Labels arrive in whatever key order the pusher used; map that raw form to the canonical key
  // once, so the hot path is one string concatenation and one lookup per sample.
  private readonly canonical = new Map<string, string>();

  constructor(private readonly maxEntries = 1_000_000) {}

  key(name: string, labels: Record<string, string>): string {
    let raw = name;
    for (const k in labels) raw += '\u0001' + k + '\u0002' + labels[k];
    let key = this.canonical.get(raw);
    if (key === undefined) {
      key = name + '\u0001' + canonicalLabels(labels);
      if (this.canonical.size >= this.maxEntries) this.canonical.clear();
      this.canonical.set(raw, key);
    }
    return key;
  }

  get(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Remembers ids once the transaction that created them has committed. */
  remember(created: Map<string, number>): void {
    if (this.ids.size + created.size > this.maxEntries) this.ids.clear();
    for (const [k, id] of created) this.ids.set(k, id);
  }

  /**
   * Resolves the ids of keys not cached yet inside tx, inserting unknown series. The result is
   * only valid inside tx: pass it to remember() after COMMIT (a rollback would undo the ids).
   */
  async resolve(tx: Queryable, keys: Iterable<string>): Promise<Map<string, number>> {
    const created = new Map<string, number>();
    const unknown = new Set<string>();
    for (const k of keys) if (!this.ids.has(k)) unknown.add(k);
    const all = [...unknown];
    for (let i = 0; i < all.length; i += RESOLVE_PER_STATEMENT) {
      // A flood of new series (15,000 hosts in one push) is created in short statements with a
      // turn of the event loop between them: on PGlite each statement holds the main thread.
      if (i > 0) await nextTurn();
      await this.resolveSome(tx, all.slice(i, i + RESOLVE_PER_STATEMENT), created);
    }
    return created;
  }

  private async resolveSome(tx: Queryable, keys: string[], created: Map<string, number>): Promise<void> {
    let missing = keys;
    // Under READ COMMITTED a series committed by a concurrent writer after this statement's
    // snapshot is neither inserted nor seen; a second statement sees it.
    for (let attempt = 0; missing.length > 0 && attempt < 5; attempt++) {
      const names = missing.map((k) => k.slice(0, k.indexOf('\u0001')));
      const labels = missing.map((k) => k.slice(k.indexOf('\u0001') + 1));
      const rows = await tx.query<{ ord: string | number; id: string | number | null }>(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS t(name, labels, ord)),
         ins AS (
           INSERT INTO metric_series (name, labels) SELECT name, labels FROM input ORDER BY ord
           ON CONFLICT (name, labels) DO NOTHING RETURNING id, name, labels)
         SELECT i.ord, coalesce(ins.id, s.id) AS id FROM input i
           LEFT JOIN ins ON ins.name = i.name AND ins.labels = i.labels
           LEFT JOIN metric_series s ON s.name = i.name AND s.labels = i.labels`,
        [names, labels],
      );
      const still: string[] = [];
      for (const r of rows) {
        const key = missing[Number(r.ord) - 1];
        if (r.id === null) still.push(key);
        else created.set(key, Number(r.id));
      }
      missing = still;
    }
    if (missing.length) throw new Error(`could not resolve ${missing.length} series ids`);
  }
}
