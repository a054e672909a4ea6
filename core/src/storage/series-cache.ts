import { setImmediate as nextTurn } from 'timers/promises';
import type { Queryable } from './database';
import type { SeriesGuard } from './series-guard';
import { seriesKey } from '../model/series-key';

/** Series ids resolved inside a transaction: valid once it commits. */
export interface ResolvedSeries {
  ids: Map<string, number>;
  /** How many of them the transaction inserted. */
  inserted: number;
}

/** New series inserted per statement. */
const RESOLVE_PER_STATEMENT = 1_000;

/**
 * Maps (name, labels) to metric_series.id, creating series on first sight. Ids never change,
 * so a bounded in-memory map saves the lookup on the hot path. With a guard, series past its
 * limit are refused (SeriesLimitError) before anything is inserted.
 */
export class SeriesCache {
  private readonly ids = new Map<string, number>();
  // Labels arrive in whatever key order the pusher used; map that raw form to the canonical key
  // once, so the hot path is one string concatenation and one lookup per sample.
  private readonly canonical = new Map<string, string>();

  constructor(
    private readonly maxEntries = 1_000_000,
    private readonly guard?: SeriesGuard,
  ) {}

  key(name: string, labels: Record<string, string>): string {
    let raw = name;
    for (const k in labels) raw += '\u0001' + k + '\u0002' + labels[k];
    let key = this.canonical.get(raw);
    if (key === undefined) {
      key = seriesKey(name, labels);
      if (this.canonical.size >= this.maxEntries) this.canonical.clear();
      this.canonical.set(raw, key);
    }
    return key;
  }

  get(key: string): number | undefined {
    return this.ids.get(key);
  }

  /** Remembers ids once the transaction that created them has committed. */
  remember(resolved: ResolvedSeries): void {
    const created = resolved.ids;
    if (this.ids.size + created.size > this.maxEntries) this.ids.clear();
    for (const [k, id] of created) this.ids.set(k, id);
    this.guard?.created(resolved.inserted);
  }

  /**
   * Resolves the ids of keys not cached yet inside tx, inserting unknown series. The result is
   * only valid inside tx: pass it to remember() after COMMIT (a rollback would undo the ids).
   */
  async resolve(tx: Queryable, keys: Iterable<string>): Promise<ResolvedSeries> {
    const created = new Map<string, number>();
    const unknown = new Set<string>();
    for (const k of keys) if (!this.ids.has(k)) unknown.add(k);
    let missing = [...unknown];
    if (this.guard && missing.length > 0 && (await this.guard.mightExceed(tx, missing.length))) {
      // The cache is bounded, so some of these may exist already: only really new ones count.
      for (const [k, id] of await this.lookup(tx, missing)) created.set(k, id);
      missing = missing.filter((k) => !created.has(k));
      this.guard.admit(missing);
    }
    let inserted = 0;
    for (let i = 0; i < missing.length; i += RESOLVE_PER_STATEMENT) {
      // A flood of new series (15,000 hosts in one push) is created in short statements with a
      // turn of the event loop between them: on PGlite each statement holds the main thread.
      if (i > 0) await nextTurn();
      inserted += await this.resolveSome(tx, missing.slice(i, i + RESOLVE_PER_STATEMENT), created);
    }
    return { ids: created, inserted };
  }

  /** Inserts or finds the ids of `keys` into `created`; returns how many were inserted. */
  private async resolveSome(tx: Queryable, keys: string[], created: Map<string, number>): Promise<number> {
    let missing = keys;
    let inserted = 0;
    // Under READ COMMITTED a series committed by a concurrent writer after this statement's
    // snapshot is neither inserted nor seen; a second statement sees it.
    for (let attempt = 0; missing.length > 0 && attempt < 5; attempt++) {
      const names = missing.map(nameOf);
      const labels = missing.map(labelsOf);
      const rows = await tx.query<{ ord: string | number; id: string | number | null; inserted: boolean }>(
        `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS t(name, labels, ord)),
         ins AS (
           INSERT INTO metric_series (name, labels) SELECT name, labels FROM input ORDER BY ord
           ON CONFLICT (name, labels) DO NOTHING RETURNING id, name, labels)
         SELECT i.ord, coalesce(ins.id, s.id) AS id, ins.id IS NOT NULL AS inserted FROM input i
           LEFT JOIN ins ON ins.name = i.name AND ins.labels = i.labels
           LEFT JOIN metric_series s ON s.name = i.name AND s.labels = i.labels`,
        [names, labels],
      );
      const still: string[] = [];
      for (const r of rows) {
        const key = missing[Number(r.ord) - 1];
        if (r.id === null) still.push(key);
        else created.set(key, Number(r.id));
        if (r.inserted) inserted++;
      }
      missing = still;
    }
    if (missing.length) throw new Error(`could not resolve ${missing.length} series ids`);
    return inserted;
  }

  /** Ids of the keys that exist in metric_series (no insert). */
  private async lookup(tx: Queryable, keys: string[]): Promise<Map<string, number>> {
    const rows = await tx.query<{ ord: string | number; id: string | number }>(
      `SELECT t.ord, s.id FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS t(name, labels, ord)
         JOIN metric_series s ON s.name = t.name AND s.labels = t.labels`,
      [keys.map(nameOf), keys.map(labelsOf)],
    );
    return new Map(rows.map((r) => [keys[Number(r.ord) - 1], Number(r.id)]));
  }
}

const nameOf = (key: string) => key.slice(0, key.indexOf('\u0001'));
const labelsOf = (key: string) => key.slice(key.indexOf('\u0001') + 1);
