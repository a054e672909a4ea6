import {
  MAX_DURATION_MS,
  MAX_TIMESTAMP_MS,
  parseDurationText,
  parseRfc3339,
  parseTimestamp,
} from './time-input';

const value = <T>(p: { ok: boolean; value?: T }) => (p.ok ? p.value : 'error');

describe('strict timestamps (issue 11, finding 8)', () => {
  test('an impossible date is an error, not the next month', () => {
    expect(value(parseRfc3339('2026-02-31T00:00:00Z'))).toBe('error');
    expect(value(parseRfc3339('2026-13-01T00:00:00Z'))).toBe('error');
    expect(value(parseRfc3339('2026-01-01T24:00:00Z'))).toBe('error');
    expect(value(parseRfc3339('2028-02-29T00:00:00Z'))).toBe(Date.UTC(2028, 1, 29));
    expect(value(parseRfc3339('2027-02-29T00:00:00Z'))).toBe('error');
  });

  test('offsets and fractions are applied exactly', () => {
    expect(value(parseRfc3339('2026-01-17T15:00:00.25+01:30'))).toBe(Date.UTC(2026, 0, 17, 13, 30, 0, 250));
    expect(value(parseRfc3339('2026-01-17 15:00:00z'))).toBe(Date.UTC(2026, 0, 17, 15));
    expect(value(parseRfc3339('2026-01-17T15:00:00'))).toBe('error'); // no zone: ambiguous
  });

  test('negative and overflowing epochs are errors, never moved', () => {
    expect(value(parseTimestamp('-1'))).toBe('error');
    expect(value(parseTimestamp(-1))).toBe('error');
    expect(value(parseTimestamp('99999999999999999999'))).toBe('error');
    expect(value(parseTimestamp(9_000_000_000_000_000))).toBe('error');
    expect(value(parseTimestamp(1.5))).toBe('error');
    expect(value(parseTimestamp(String(MAX_TIMESTAMP_MS)))).toBe(MAX_TIMESTAMP_MS);
    expect(value(parseTimestamp('1737126000000'))).toBe(1737126000000);
    expect(value(parseTimestamp('0'))).toBe(0);
  });
});

describe('strict durations', () => {
  test('Prometheus spellings parse to whole milliseconds', () => {
    expect(value(parseDurationText('1h30m'))).toBe(5_400_000);
    expect(value(parseDurationText('250ms'))).toBe(250);
    expect(value(parseDurationText('0s'))).toBe(0);
    expect(value(parseDurationText('1.5', 's'))).toBe(1500);
    expect(value(parseDurationText('15', 'ms'))).toBe(15);
  });

  test('a 400-digit duration, 1e308 or more than ten years is an error', () => {
    expect(value(parseDurationText(`${'9'.repeat(400)}s`))).toBe('error');
    expect(value(parseDurationText('9'.repeat(400), 's'))).toBe('error');
    expect(value(parseDurationText('1e308', 's'))).toBe('error');
    expect(value(parseDurationText('3651d'))).toBe('error');
    expect(value(parseDurationText('3650d'))).toBe(MAX_DURATION_MS);
    expect(value(parseDurationText('15'))).toBe('error'); // a bare number needs a unit here
    expect(value(parseDurationText('-5m'))).toBe('error');
  });
});
