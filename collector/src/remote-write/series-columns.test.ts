import { defaultLimits } from '@aihub/core';
import { encodeWriteRequest, PUSH_CORPUS_NOW as NOW, storedBySchema } from '@aihub/core/testing';
import { plainSeriesColumns, PlainSeriesSeen } from './series-columns';
import { toSamples } from './remote-write-route';
import { decodeWriteRequest, ProtobufError, type RemoteSeries } from './write-request';

/** What the route stores through the push schema, or null when it answers 400. */
function storedByTheSchema(series: RemoteSeries[]) {
  let samples;
  try {
    samples = toSamples(series).payload;
  } catch {
    return null;
  }
  return storedBySchema(samples);
}

const at = (value: number, timestampMs = NOW - 1000) => ({ value, timestampMs });
const series = (
  labels: [string, string][],
  samples = [at(1)],
  histograms: RemoteSeries['histograms'] = [],
) => ({
  labels: labels.map(([name, value]) => ({ name, value })),
  samples,
  histograms,
});
const job: [string, string] = ['job', 'node'];

const requests: RemoteSeries[][] = [
  [],
  [series([['__name__', 'up'], job])],
  [series([['__name__', 'up'], job], [at(1), at(NaN), at(Infinity), at(-Infinity), at(-0)])],
  [series([['__name__', 'up'], ['empty', ''], job])],
  [series([['__name__', 'up'], job], [], [{ count: 3, sum: 1.5, timestampMs: NOW - 5 }])],
  [
    series([['__name__', 'up'], job]),
    series([
      ['__name__', 'down'],
      ['a', 'ü'],
    ]),
  ],
  [series([['__name__', 'x'.repeat(190)], job], [], [{ count: 1, sum: 1, timestampMs: NOW }])],
  [series([job])],
  [series([['__name__', ''], job])],
  [series([['__name__', '1up'], job])],
  [
    series([
      ['__name__', 'up'],
      ['__name__', 'up'],
    ]),
  ],
  [series([['__name__', 'up'], job, job])],
  [
    series([
      ['__name__', 'up'],
      ['job', ''],
      ['job', 'x'],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['bad-name', 'x'],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['bad-name', ''],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['__meta', 'x'],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['constructor', 'x'],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['__proto__', 'x'],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['a', 'nul\u0000'],
    ]),
  ],
  [
    series([
      ['__name__', 'up'],
      ['a', 'x'.repeat(1025)],
    ]),
  ],
  [series([['__name__', 'up'], job], [at(1, NOW + defaultLimits.maxFutureMs + 1)])],
  [series([['__name__', 'up'], job], [at(1, -1)])],
  [series([['__name__', 'up'], job], [at(NaN)])],
  [series([['__name__', 'up'], job], [], [{ count: 1, sum: NaN, timestampMs: NOW }])],
  [
    series(
      [['__name__', 'up'], job],
      Array.from({ length: defaultLimits.maxItems + 1 }, () => at(1)),
    ),
  ],
];

describe('remote-write series into columns', () => {
  test.each(requests.map((r, i) => [i, r]))(
    'request %i: whatever it takes, the push schema stores the same',
    (_i, request) => {
      const plain = plainSeriesColumns(request, defaultLimits, NOW);
      if (!plain) return;
      const full = storedByTheSchema(request);
      expect(full).not.toBeNull();
      const c = plain.columns;
      expect(c.count).toBe(full!.length);
      for (let i = 0; i < c.count; i++) {
        expect(c.keys[i]).toBe(full![i].key);
        expect(Object.is(c.timesMs[i], full![i].timeMs)).toBe(true);
        expect(Object.is(c.values[i], full![i].value)).toBe(true);
      }
      expect(new Set(c.names)).toEqual(new Set(c.keys.map((k) => k.slice(0, k.indexOf('\u0001')))));
      expect(plain.nonFinite).toEqual(toSamples(request).nonFinite);
    },
  );

  test('it takes plain requests and leaves every rejected one to the schema', () => {
    for (const i of [1, 2, 3, 4, 5, 6])
      expect(plainSeriesColumns(requests[i], defaultLimits, NOW)).toBeDefined();
    for (const request of requests)
      if (storedByTheSchema(request) === null)
        expect(plainSeriesColumns(request, defaultLimits, NOW)).toBeUndefined();
  });
});

describe('series known by their label bytes', () => {
  /** A request as the route reads it: encoded, then decoded (so each series has labelBytes). */
  const wire = (request: RemoteSeries[]) => decodeWriteRequest(encodeWriteRequest(request));

  test('every request of the corpus gives the same columns the first time and every time after', () => {
    const seen = new PlainSeriesSeen();
    for (const request of requests) {
      const decoded = wire(request);
      expect(decoded.every((s) => s.labels.length === 0 || typeof s.labelBytes === 'string')).toBe(true);
      const alone = plainSeriesColumns(wire(request), defaultLimits, NOW);
      for (let round = 0; round < 2; round++)
        expect(plainSeriesColumns(wire(request), defaultLimits, NOW, seen)).toEqual(alone);
    }
    expect(seen.size).toBeGreaterThan(0);
  });

  test('the same labels in another order are another spelling: validated anew, same key', () => {
    const seen = new PlainSeriesSeen();
    const a = wire([series([['__name__', 'up'], job, ['zone', 'a']])]);
    const b = wire([series([['zone', 'a'], job, ['__name__', 'up']])]);
    expect(a[0].labelBytes).not.toBe(b[0].labelBytes);
    const first = plainSeriesColumns(a, defaultLimits, NOW, seen)!;
    const second = plainSeriesColumns(b, defaultLimits, NOW, seen)!;
    expect(second.columns.keys).toEqual(first.columns.keys);
    expect(seen.size).toBe(2);
  });

  test('a series the rules refuse is never remembered, and stays refused', () => {
    const seen = new PlainSeriesSeen();
    const refused = wire([series([['__name__', '1up'], job])]);
    expect(plainSeriesColumns(refused, defaultLimits, NOW, seen)).toBeUndefined();
    expect(plainSeriesColumns(refused, defaultLimits, NOW, seen)).toBeUndefined();
    expect(seen.size).toBe(0);
  });

  test('it stays within its bound however many series pass', () => {
    const seen = new PlainSeriesSeen(100);
    for (let i = 0; i < 1000; i++) {
      const plain = plainSeriesColumns(
        wire([
          series([
            ['__name__', 'up'],
            ['i', String(i)],
          ]),
        ]),
        defaultLimits,
        NOW,
        seen,
      );
      expect(plain!.columns.keys[0]).toBe(`up\u0001{"i":"${i}"}`);
      expect(seen.size).toBeLessThanOrEqual(100);
    }
  });

  test('a malformed label message is still an error of the decoder, before anything reads the labels', () => {
    const good = encodeWriteRequest([series([['__name__', 'up'], job])]);
    // TimeSeries (field 1) holding one Label (field 1) whose name claims 5 bytes but has 1.
    const bad = Buffer.from([0x0a, 0x05, 0x0a, 0x03, 0x0a, 0x05, 0x61]);
    expect(() => decodeWriteRequest(good)).not.toThrow();
    expect(() => decodeWriteRequest(bad)).toThrow(ProtobufError);
  });
});
