import { countSeries, selectSeries, type Queryable, type SelectedSeries } from '@aihub/core';
import type { Labels } from '../types/labels';
import type { TimeSlice } from './time-slice';

/** Series listed per query: a page of labels stays a short query on PGlite's main thread. */
const SERIES_PER_PAGE = 1_000;

/**
 * The series a rule evaluates: the oldest `maxSeries` of those matching (by id, so the same ones
 * from one evaluation to the next), listed page by page, and how many matched beyond the cap.
 */
export async function selectCapped(
  db: Queryable,
  metric: string,
  matchers: Labels,
  maxSeries: number,
  slice: TimeSlice,
): Promise<{ series: SelectedSeries[]; beyondCap: number }> {
  const series: SelectedSeries[] = [];
  let afterId = 0;
  while (series.length <= maxSeries) {
    await slice.checkpoint();
    const want = Math.min(SERIES_PER_PAGE, maxSeries + 1 - series.length);
    const page = await selectSeries(db, metric, matchers, want, afterId);
    for (const s of page) series.push(s);
    if (page.length < want) break;
    afterId = page[page.length - 1].id;
  }
  if (series.length <= maxSeries) return { series, beyondCap: 0 };
  const total = await countSeries(db, metric, matchers);
  return { series: series.slice(0, maxSeries), beyondCap: total - maxSeries };
}
