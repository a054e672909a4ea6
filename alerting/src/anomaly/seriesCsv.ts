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

/** A row left out of the series, with the reason (its 1-based line is in `line`). */
export interface SkippedRow {
  line: number;
  reason: string;
}

export interface ParsedSeriesCsv {
  /** The good rows, in file order (not necessarily in time order: see `orderSeries`). */
  points: CsvPoint[];
  /** Rows that could not be read (wrong column count, unreadable timestamp, non-finite value). */
  skipped: SkippedRow[];
}

/**
 * Parses a `timestamp,value` CSV (optional header, blank lines ignored). Real exports have
 * the odd bad row: such a row is skipped and reported with its line, never the whole file.
 * Only a header that names other columns throws (SeriesCsvError): then nothing can be right.
 */
export function parseSeriesCsv(text: string): ParsedSeriesCsv {
  const lines = text.split(/\r?\n/);
  const points: CsvPoint[] = [];
  const skipped: SkippedRow[] = [];
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    const cells = raw.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (points.length === 0 && skipped.length === 0 && cells[0]?.toLowerCase() === 'timestamp') {
      if (cells[1]?.toLowerCase() !== 'value' || cells.length !== 2) {
        throw new SeriesCsvError(line, `header must be "timestamp,value", got "${raw.trim()}"`);
      }
      return;
    }
    if (cells.length !== 2) {
      skipped.push({ line, reason: `expected 2 columns (timestamp,value), got ${cells.length}` });
      return;
    }
    const [timestampText, valueText] = cells;
    const timestamp = parseTimestamp(timestampText);
    if (timestamp === null) {
      skipped.push({
        line,
        reason: `timestamp "${timestampText}" is neither epoch seconds/milliseconds nor an ISO 8601 date-time`,
      });
      return;
    }
    const value = valueText === '' ? NaN : Number(valueText);
    if (!Number.isFinite(value)) {
      skipped.push({ line, reason: `value "${valueText}" is not a finite number` });
      return;
    }
    points.push({ timestamp, value, timestampText, valueText });
  });
  return { points, skipped };
}
