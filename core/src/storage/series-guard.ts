import type { Queryable } from './database';

/** Default of MAX_SERIES: stored series (metric_series rows) beyond which new series are refused. */
export const DEFAULT_MAX_SERIES = 500_000;

/** A request would create series past MAX_SERIES; nothing of it was stored. */
export class SeriesLimitError extends Error {
  constructor(
    readonly limit: number,
    /** The first refused series, as `name{label="value",…}`. */
    readonly series: string,
    /** How many series the request would have created. */
    readonly newSeries: number,
  ) {
    super(`series limit reached: ${newSeries} new series would pass MAX_SERIES=${limit}`);
  }
}

/**
 * The cardinality guard: bounds the number of series in storage. It is only consulted when a
 * commit brings series the id cache does not know, so steady traffic on known series costs
 * nothing. The stored count is re-read now and then (other replicas create series too), so
 * under concurrent writers the limit can be passed by at most the series created in between.
 */
export class SeriesGuard {
  private stored: number | undefined;
  private countedAt = 0;

  constructor(
    readonly maxSeries: number,
    private readonly recountEveryMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when creating up to `candidates` series might pass the limit (then look closer). */
  async mightExceed(tx: Queryable, candidates: number): Promise<boolean> {
    if (this.stored === undefined || this.now() - this.countedAt > this.recountEveryMs) {
      const rows = await tx.query<{ n: string | number }>('SELECT count(*) AS n FROM metric_series');
      this.stored = Number(rows[0].n);
      this.countedAt = this.now();
    }
    return this.stored + candidates > this.maxSeries;
  }

  /** Throws SeriesLimitError when `fresh` (keys known not to exist) do not fit. */
  admit(fresh: string[]): void {
    if (fresh.length === 0) return;
    if ((this.stored ?? 0) + fresh.length > this.maxSeries)
      throw new SeriesLimitError(this.maxSeries, describeSeriesKey(fresh[0]), fresh.length);
  }

  /** Series inserted by a committed transaction. */
  created(n: number): void {
    if (this.stored !== undefined) this.stored += n;
  }
}

/** A series cache key (`name \u0001 canonical labels JSON`) → `name{a="1",b="2"}`. */
export function describeSeriesKey(key: string): string {
  const cut = key.indexOf('\u0001');
  const labels = JSON.parse(key.slice(cut + 1)) as Record<string, string>;
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',');
  return `${key.slice(0, cut)}{${inner}}`;
}
