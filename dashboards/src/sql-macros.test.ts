import { expandSqlMacros, formatInterval, parseIntervalMs, rfc3339Nano, SqlMacroError } from './sql-macros';

const ctx = {
  from: new Date('2026-01-17T15:00:00.000Z'),
  to: new Date('2026-01-17T16:00:00.250Z'),
  intervalMs: 60000,
  timescaledb: false,
};

describe('expandSqlMacros', () => {
  it('writes $__timeFilter as BETWEEN two RFC 3339 timestamps, dropping zero fractions like Go', () => {
    expect(expandSqlMacros('WHERE $__timeFilter(time)', ctx)).toBe(
      "WHERE time BETWEEN '2026-01-17T15:00:00Z' AND '2026-01-17T16:00:00.25Z'",
    );
  });

  it('expands $__timeFrom() and $__timeTo() to quoted timestamps', () => {
    expect(expandSqlMacros('last_seen >= $__timeFrom() AND x < $__timeTo()', ctx)).toBe(
      "last_seen >= '2026-01-17T15:00:00Z' AND x < '2026-01-17T16:00:00.25Z'",
    );
  });

  it('groups by epoch arithmetic on plain PostgreSQL and by time_bucket on TimescaleDB', () => {
    expect(expandSqlMacros("SELECT $__timeGroupAlias(s.time, '5m')", ctx)).toBe(
      'SELECT floor(extract(epoch from s.time)/300)*300 AS "time"',
    );
    expect(expandSqlMacros("SELECT $__timeGroupAlias(s.time, '5m')", { ...ctx, timescaledb: true })).toBe(
      `SELECT time_bucket('300.000s',s.time) AS "time"`,
    );
  });

  it('substitutes $__interval before the macros so $__timeGroup($col, $__interval) works', () => {
    expect(
      expandSqlMacros('$__timeGroup(time, $__interval) AS t, $__interval_ms', { ...ctx, intervalMs: 30000 }),
    ).toBe('floor(extract(epoch from time)/30)*30 AS t, 30000');
  });

  it('treats $__timeGroup followed directly by a comma as the aliased pre-5.3 form', () => {
    expect(expandSqlMacros("SELECT $__timeGroup(time,'1h'), count(*)", ctx)).toBe(
      'SELECT floor(extract(epoch from time)/3600)*3600 AS "time", count(*)',
    );
  });

  it('accepts a fill value argument, which only affects post-processing', () => {
    expect(expandSqlMacros("$__timeGroupAlias(time, '1m', NULL)", ctx)).toBe(
      'floor(extract(epoch from time)/60)*60 AS "time"',
    );
  });

  it('expands the epoch macros for integer timestamp columns', () => {
    expect(expandSqlMacros('$__unixEpochFilter(ts) $__unixEpochFrom() $__unixEpochTo()', ctx)).toBe(
      'ts >= 1768662000 AND ts <= 1768665600 1768662000 1768665600',
    );
    expect(expandSqlMacros("$__unixEpochGroupAlias(ts, '10s')", ctx)).toBe('floor((ts)/10)*10 AS "time"');
  });

  it('fails on an unknown macro or a missing argument instead of sending broken SQL', () => {
    expect(() => expandSqlMacros('$__nope(x)', ctx)).toThrow(SqlMacroError);
    expect(() => expandSqlMacros('$__timeGroup(time)', ctx)).toThrow(/needs time column and interval/);
    expect(() => expandSqlMacros('$__timeFilter()', ctx)).toThrow(/missing time column/);
    expect(() => expandSqlMacros("$__timeGroup(time, 'soon')", ctx)).toThrow(/error parsing interval/);
  });
});

describe('interval helpers', () => {
  it('formats and parses intervals like Grafana', () => {
    expect(formatInterval(1500)).toBe('1s');
    expect(formatInterval(120000)).toBe('2m');
    expect(formatInterval(250)).toBe('250ms');
    expect(parseIntervalMs('5m')).toBe(300000);
    expect(parseIntervalMs('1d')).toBe(86400000);
    expect(rfc3339Nano(new Date('2026-01-01T00:00:00.120Z'))).toBe('2026-01-01T00:00:00.12Z');
  });
});
