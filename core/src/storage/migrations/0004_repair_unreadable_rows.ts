import type { Migration } from './migration';

/**
 * Removes rows that earlier versions stored but could never show again (issue 11): silences
 * whose times lie outside 1970 … 9999 (an `ends_at` of 9e15 ms, or `infinity`, made every
 * GET /v1/silences a 500, and no id came back to delete them), and API rules whose names are
 * longer than the API now accepts or whose durations overflowed ("Infinityd" from a 400-digit
 * window or 1e308 seconds): invisible, yet blocking their name. The API validates these bounds
 * before any write now, so this runs once.
 */
export const repairUnreadableRows: Migration = {
  version: 4,
  name: 'repair_unreadable_rows',
  sql: `
DELETE FROM silences
WHERE NOT (starts_at BETWEEN '1970-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00')
   OR NOT (ends_at BETWEEN '1970-01-01 00:00:00+00' AND '9999-12-31 23:59:59.999+00');

DELETE FROM alert_rules r
WHERE r.source = 'api'
  AND (length(r.name) > 200
       OR EXISTS (
         SELECT 1
         FROM (SELECT r.definition -> k AS v
               FROM unnest(ARRAY['window', 'for', 'keep_firing_for', 'history', 'suppress_for', 'resolve_after']) AS k
               UNION ALL
               SELECT r.definition -> 'divide_by' -> k
               FROM unnest(ARRAY['window', 'offset']) AS k) d
         -- more than 12 digits in one part is more than ten years even in milliseconds
         WHERE d.v IS NOT NULL AND (d.v #>> '{}') ~ '(Infinity|NaN|[0-9]{13,}|[eE][+-]?[0-9])'));
`,
};
