import type { Point } from './features';

/** A parsed row, keeping the original text so the output echoes it unchanged. */
export interface CsvPoint extends Point {
  timestampText: string;
  valueText: string;
}

/** A CSV problem, naming the 1-based line it was found on. */
export class SeriesCsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'SeriesCsvError';
  }
}

const NAIVE_DATE_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/**
 * Timestamp text to epoch milliseconds: a number is epoch seconds (below 1e11) or
 * milliseconds; otherwise an ISO 8601 date-time, read as UTC when it names no zone.
 */
export function parseTimestamp(text: string): number | null {
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const iso = NAIVE_DATE_TIME.test(text)
    ? `${text.replace(' ', 'T')}${text.length > 10 ? 'Z' : 'T00:00:00Z'}`
    : text;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Parses a `timestamp,value` CSV (optional header, blank lines ignored, timestamps
 * non-decreasing). Throws SeriesCsvError naming the first bad line.
 */
export function parseSeriesCsv(text: string): CsvPoint[] {
  const lines = text.split(/\r?\n/);
  const points: CsvPoint[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const cells = raw.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (points.length === 0 && cells[0]?.toLowerCase() === 'timestamp') {
      if (cells[1]?.toLowerCase() !== 'value' || cells.length !== 2) {
        throw new SeriesCsvError(line, `header must be "timestamp,value", got "${raw.trim()}"`);
      }
      return;
    }
    if (cells.length !== 2)
      throw new SeriesCsvError(line, `expected 2 columns (timestamp,value), got ${cells.length}`);
    const [timestampText, valueText] = cells;
    const timestamp = parseTimestamp(timestampText);
    if (timestamp === null)
      throw new SeriesCsvError(
        line,
        `timestamp "${timestampText}" is neither epoch seconds/milliseconds nor an ISO 8601 date-time`,
      );
    const value = valueText === '' ? NaN : Number(valueText);
    if (!Number.isFinite(value))
      throw new SeriesCsvError(line, `value "${valueText}" is not a finite number`);
    const previous = points[points.length - 1];
    if (previous && timestamp < previous.timestamp) {
      throw new SeriesCsvError(
        line,
        `timestamp "${timestampText}" is earlier than the previous row's ("${previous.timestampText}"); sort the series by time`,
      );
    }
    points.push({ timestamp, value, timestampText, valueText });
  });
  return points;
}
