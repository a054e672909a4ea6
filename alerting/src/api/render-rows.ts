import type { Logger } from '@aihub/core';

/**
 * Renders each stored row for a list answer; a row that cannot be rendered (written by an older
 * bug, or by hand) is skipped and logged, so one bad row never turns the whole list into a 500.
 */
export function renderRows<R, J>(
  rows: R[],
  render: (row: R) => J,
  logger: Logger,
  what: string,
  idOf: (row: R) => unknown,
): J[] {
  const out: J[] = [];
  for (const row of rows) {
    try {
      out.push(render(row));
    } catch (err) {
      logger.warn(`skipped a stored ${what} that cannot be shown`, { id: String(idOf(row)), err });
    }
  }
  return out;
}
