import { SamplesJsonReader } from './samples-json-reader';
import { defaultLimits } from './limits';
import { findUnsafeJson, jsonMayBeUnsafe } from './safe-input';
import { seriesKey } from './series-key';
import { bodies, good, NOW, storedBySchema } from '../testing/push-corpus';

/** What the whole-body path stores for a text: its samples, or null when it answers 400. */
function storedByTheSchema(text: string): { key: string; timeMs: number; value: number }[] | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (jsonMayBeUnsafe(text) && findUnsafeJson(value).length > 0) return null;
  return storedBySchema(value);
}

/** The reader's answer in the same shape, or undefined when it leaves the body to the schema. */
function readByTheReader(reader: SamplesJsonReader, text: string) {
  const c = reader.read(Buffer.from(text, 'utf8'), NOW);
  if (!c) return undefined;
  expect(c.keys.length).toBe(c.count);
  expect(new Set(c.names)).toEqual(new Set(c.keys.map((k) => k.slice(0, k.indexOf('\u0001')))));
  expect(c.names.length).toBe(new Set(c.names).size);
  return Array.from({ length: c.count }, (_, i) => ({
    key: c.keys[i],
    timeMs: c.timesMs[i],
    value: c.values[i],
  }));
}

/** The reader may decline anything; whatever it takes, the schema takes, with the same rows. */
function expectAgreement(reader: SamplesJsonReader, text: string): boolean {
  const quick = readByTheReader(reader, text);
  if (quick === undefined) return false;
  const full = storedByTheSchema(text);
  expect(full).not.toBeNull();
  expect(quick.length).toBe(full!.length);
  quick.forEach((q, i) => {
    expect(q.key).toBe(full![i].key);
    expect(Object.is(q.timeMs, full![i].timeMs)).toBe(true);
    expect(Object.is(q.value, full![i].value)).toBe(true);
  });
  return true;
}

// A deterministic generator, so a failure names a case that can be replayed.
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

describe('the samples reader', () => {
  test.each(bodies.map((b, i) => [i, b]))(
    'corpus body %i, compact and indented, agrees with the schema',
    (_i, body) => {
      const reader = new SamplesJsonReader(defaultLimits);
      if (body === undefined) return;
      for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2)]) {
        if (text === undefined) continue;
        expectAgreement(reader, text);
        expectAgreement(reader, text); // a second time from its series memory
      }
    },
  );

  test('it takes the common pushes itself, in any field order and spacing', () => {
    const reader = new SamplesJsonReader(defaultLimits);
    const texts = [
      JSON.stringify({ samples: Array.from({ length: 1000 }, (_, i) => ({ ...good, value: i / 7 })) }),
      '{"samples":[]}',
      ' \n{ "samples" : [ { "ts" : 1768661999000 , "labels" : { "b" : "2" , "a" : "1" } , "value" : -0 , "name" : "m" } ] } \r\n',
      '{"samples":[{"name":"m","value":1,"labels":{"a":"1","b":"2"}},{"name":"m","value":2,"labels":{"b":"2","a":"1"}}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"a":"ünïcödé"}}]}',
      '{"samples":[{"name":"m","value":1e3},{"name":"m","value":-1.5E-7},{"name":"m","value":0.1},{"name":"m","value":123456789012345678901}]}',
      '{"samples":[{"name":"m","value":1,"ts":1768661999000.0},{"name":"m","value":1,"ts":1.768661999e12}]}',
    ];
    for (const text of texts) expect(expectAgreement(reader, text)).toBe(true);
    // Two spellings of one label set are one series.
    const c = reader.read(Buffer.from(texts[3]), NOW)!;
    expect(c.keys[0]).toBe(c.keys[1]);
    expect(c.keys[0]).toBe(seriesKey('m', { a: '1', b: '2' }));
    expect(c.names).toEqual(['m']);
    // No ts: stamped with the time the caller gives.
    expect(
      Array.from(reader.read(Buffer.from('{"samples":[{"name":"m","value":1}]}'), 1234)!.timesMs),
    ).toEqual([1234]);
  });

  test('it leaves every body outside its shape to the schema', () => {
    const reader = new SamplesJsonReader(defaultLimits);
    const declined = [
      '',
      '   ',
      '\ufeff{"samples":[]}',
      '{"samples":[]} x',
      '{"samples":[],"samples":[]}',
      '{"samples":[],"system":[]}',
      '{"system":[],"samples":[]}',
      '{"samples":[{"name":"na\\u006de","value":1}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"a":"x\\"y"}}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"a":"tab\there"}}]}',
      '{"samples":[{"name":"m","value":1,"name":"n"}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"a":{"b":"c"}}}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"a":1}}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"constructor":"x"}}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"__proto__":"x"}}]}',
      '{"samples":[{"name":"m","value":1,"labels":{"a":"😀"}}]}',
      '{"samples":[{"name":"m","value":null}]}',
      '{"samples":[{"name":"m","value":"1"}]}',
      '{"samples":[{"name":"m","value":1e400}]}',
      '{"samples":[{"name":"m","value":01}]}',
      '{"samples":[{"name":"m","value":1.}]}',
      '{"samples":[{"name":"m","value":.5}]}',
      '{"samples":[{"name":"m","value":+1}]}',
      '{"samples":[{"name":"m","value":-}]}',
      '{"samples":[{"name":"m","value":1,"ts":1.5}]}',
      '{"samples":[{"name":"m","value":1,"ts":-1}]}',
      `{"samples":[{"name":"m","value":1,"ts":${NOW + defaultLimits.maxFutureMs + 1}}]}`,
      '{"samples":[{"name":"m","value":1,"ts":null}]}',
      '{"samples":[{"name":"1m","value":1}]}',
      '{"samples":[{"value":1}]}',
      '{"samples":[{"name":"m","value":1},]}',
      '{"samples":[{"name":"m","value":1}',
      '{"samples":[{"name":"m","value":1]}',
      '{"samples":[{"name":"m","value":1,"extra":true}]}',
    ];
    for (const text of declined) expect(readByTheReader(reader, text)).toBeUndefined();
    const tooMany = JSON.stringify({
      samples: Array.from({ length: defaultLimits.maxItems + 1 }, () => good),
    });
    expect(readByTheReader(reader, tooMany)).toBeUndefined();
  });

  test('bytes that are not UTF-8 read as the whole-body parse reads them', () => {
    const reader = new SamplesJsonReader(defaultLimits);
    const body = Buffer.concat([
      Buffer.from('{"samples":[{"name":"m","value":1,"labels":{"a":"x'),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('"}}]}'),
    ]);
    const c = reader.read(body, NOW);
    expect(c).toBeDefined();
    expect(c!.keys[0]).toBe(storedByTheSchema(body.toString('utf8'))![0].key);
  });

  test('numbers read exactly as JSON.parse reads them', () => {
    const reader = new SamplesJsonReader(defaultLimits);
    const next = random(7);
    const spellings: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const x = (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
      spellings.push(
        String(x),
        x.toFixed(Math.floor(next() * 12)),
        x.toPrecision(1 + Math.floor(next() * 20)),
      );
      spellings.push(x.toExponential(Math.floor(next() * 15)), String(Math.floor(x * 1e6)));
    }
    const json = spellings
      .filter((s) => !/^-?0\d|e\+?\d{3}|Infinity|NaN/.test(s))
      .map((s) => s.replace('e+', 'e'));
    const text = `{"samples":[${json.map((v) => `{"name":"m","value":${v}}`).join(',')}]}`;
    const c = reader.read(Buffer.from(text), NOW)!;
    expect(c).toBeDefined();
    json.forEach((v, i) => expect([v, Object.is(c.values[i], JSON.parse(v))]).toEqual([v, true]));
  });

  test('a sample spelled as its series was last time is read by that spelling, and any other difference is read in full', () => {
    const reader = new SamplesJsonReader(defaultLimits);
    const sample = (value: string, ts = '1700000000000', labels = '{"host":"a","zone":"eu"}') =>
      `{"name":"cpu","value":${value},"labels":${labels},"ts":${ts}}`;
    const body = (...samples: string[]) => `{"samples":[${samples.join(',')}]}`;
    const other = '{"name":"mem","value":7,"labels":{}}';
    expect(expectAgreement(reader, body(sample('1'), other, sample('2', '1700000000001')))).toBe(true);
    // The same spellings with other numbers: guessed from the order, and each number read.
    const numbers = ['-0', '0.30000000000000004', '1e3', '-2.5E-7', '123456789012345678901', '42'];
    for (const v of numbers)
      expect(expectAgreement(reader, body(sample(v), other, sample(v, '1700000000002')))).toBe(true);
    // Differences outside the numbers: another label value or spacing is another spelling,
    // a changed field order or a missing ts is read in full, and bad numbers are declined.
    const variants = [
      body(sample('1', '1700000000000', '{"host":"b","zone":"eu"}'), other),
      body(sample('1', '1700000000000', '{"host":"a", "zone":"eu"}'), other),
      body('{"name":"cpu","labels":{"host":"a","zone":"eu"},"value":3,"ts":1700000000000}', other),
      body('{"name":"cpu","value":3,"labels":{"host":"a","zone":"eu"}}', other),
      body(other, sample('5')),
      body(sample('1'), sample('1'), sample('1')),
    ];
    for (const text of variants) {
      expect(expectAgreement(reader, text)).toBe(true);
      expect(expectAgreement(reader, text)).toBe(true);
      expect(expectAgreement(reader, body(sample('9'), other))).toBe(true);
    }
    // A repeated field is left to JSON.parse (which keeps the last one).
    expect(readByTheReader(reader, body(sample('1,"value":2'), other))).toBeUndefined();
    for (const bad of ['01', '1.', '-', '.5', '1e', 'NaN', '"1"', '1}']) {
      expect(readByTheReader(reader, body(sample(bad), other))).toBeUndefined();
      expect(storedByTheSchema(body(sample(bad), other))).toBeNull();
    }
    // A number that the fast path refuses (beyond a double) is declined, and the schema decides.
    expect(readByTheReader(reader, body(sample('1e400'), other))).toBeUndefined();
  });

  test('mutated bodies: whatever the reader takes, the schema stores the same', () => {
    const reader = new SamplesJsonReader(defaultLimits);
    const seedText = JSON.stringify({
      samples: [
        good,
        { name: 'b', value: -2.5e-3, labels: {} },
        { name: 'c_d:e', value: 1, labels: { x: 'ü', y: '' } },
      ],
    });
    const alphabet = '{}[]":,. -+0123456789eEtsnamevluba\\_\u00fc\u0000x';
    const next = random(42);
    let taken = 0;
    for (let i = 0; i < 20_000; i++) {
      // The seed now and then, so the next mutant is guessed from the seed's spellings.
      if (i % 4 === 0) expect(expectAgreement(reader, seedText)).toBe(true);
      const chars = [...seedText];
      for (let m = 1 + Math.floor(next() * 3); m > 0; m--) {
        const at = Math.floor(next() * chars.length);
        const c = alphabet[Math.floor(next() * alphabet.length)];
        const op = next();
        if (op < 0.4) chars[at] = c;
        else if (op < 0.7) chars.splice(at, 0, c);
        else chars.splice(at, 1);
      }
      if (expectAgreement(reader, chars.join(''))) taken++;
    }
    // Some mutations stay plain pushes (a digit changed, a space added): the check bites.
    expect(taken).toBeGreaterThan(1000);
  });
});
