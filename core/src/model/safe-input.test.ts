import { defaultLimits } from './limits';
import { createPushSchema, LABEL_NAME } from './push-schema';
import { findUnsafeJson, isSafeText, jsonMayBeUnsafe, labelProblem } from './safe-input';

describe('safe text and reserved keys (issue 11, findings 5 and 6)', () => {
  test('NUL and lone surrogates are unsafe; paired surrogates are fine', () => {
    expect(isSafeText('a\u0000b')).toBe(false);
    expect(isSafeText('\ud800')).toBe(false);
    expect(isSafeText('x\udc00')).toBe(false);
    expect(isSafeText('😀 ok')).toBe(true);
  });

  test('the walk names the path of every unsafe string and reserved key', () => {
    const body = JSON.parse(
      '{"samples":[{"name":"m","value":1,"labels":{"__proto__":"x","h":"\\ud800"}}],"c":{"constructor":1},"n":"a\\u0000"}',
    );
    expect(findUnsafeJson(body).map((e) => e.path)).toEqual([
      'samples[0].labels.__proto__',
      'samples[0].labels.h',
      'c.constructor',
      'n',
    ]);
  });

  test('the cheap scan fires on escapes and reserved keys, not on ordinary JSON', () => {
    expect(jsonMayBeUnsafe('{"a":"\\u00e9","b":"\\ud83d\\ude00"}')).toBe(true); // a pair: walk finds nothing
    expect(findUnsafeJson(JSON.parse('{"a":"\\u00e9","b":"\\ud83d\\ude00"}'))).toEqual([]);
    expect(jsonMayBeUnsafe('{"samples":[{"name":"m","value":1,"labels":{"host":"a"}}]}')).toBe(false);
    expect(jsonMayBeUnsafe('{"tags":{"prototype":"x"}}')).toBe(true);
    expect(jsonMayBeUnsafe('{"a":"\\u0000"}')).toBe(true);
  });

  test('label rule: reserved names and unsafe values are refused by name', () => {
    expect(labelProblem('__proto__', 'x', defaultLimits, LABEL_NAME)).toMatch(/reserved/);
    expect(labelProblem('constructor', 'x', defaultLimits, LABEL_NAME)).toMatch(/reserved/);
    expect(labelProblem('host', '\ud800', defaultLimits, LABEL_NAME)).toMatch(/surrogate/);
    expect(labelProblem('host', 'ok', defaultLimits, LABEL_NAME)).toBeNull();
  });

  test('the push schema refuses them in every family (the path remote write and OTLP take too)', () => {
    const schema = createPushSchema();
    const paths = (input: unknown) => {
      const r = schema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(paths({ samples: [{ name: 'm', value: 1, labels: JSON.parse('{"__proto__":"x"}') }] })).toEqual([
      'samples.0.labels.__proto__',
    ]);
    expect(paths({ business: [{ name: 'b', value: 1, tags: { constructor: 'x' } }] })).toEqual([
      'business.0.tags.constructor',
    ]);
    expect(paths({ llm: [{ provider: 'p', model: 'm', tags: { k: '\ud800' } }] })).toEqual(['llm.0.tags.k']);
    expect(paths({ training: [{ run_id: 'r', metrics: {}, model_info: { name: 'a\ud800' } }] })).toEqual([
      'training.0.model_info.name',
    ]);
    expect(paths({ training: [{ run_id: 'r', metrics: { prototype: 1 } }] })).toEqual([
      'training.0.metrics.prototype',
    ]);
    expect(paths({ system: [{ host: 'h\u0000', cpu_usage_percent: 1 }] })).toEqual(['system.0.host']);
    expect(paths({ samples: [{ name: 'm', value: 1, ts: '2026-02-31T00:00:00Z' }] })).toEqual([
      'samples.0.ts',
    ]);
    expect(paths({ samples: [{ name: 'm', value: 1, ts: -1 }] })).toEqual(['samples.0.ts']);
  });

  test('what an index entry cannot hold is refused before the commit (a 400, not a 503)', () => {
    const schema = createPushSchema();
    const paths = (input: unknown) => {
      const r = schema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    const big = 'x'.repeat(1000);
    expect(paths({ samples: [{ name: 'm', value: 1, labels: { a: big, b: big, c: big } }] })).toEqual([
      'samples.0.labels',
    ]);
    expect(paths({ samples: [{ name: 'm', value: 1, labels: { a: big, b: big } }] })).toEqual([]);
    expect(
      paths({ business: [{ name: 'b', value: 1, user_id: big, tags: { a: big, b: 'x'.repeat(100) } }] }),
    ).toEqual(['business.0.tags']);
    expect(paths({ system: [{ host: '€'.repeat(1000), cpu_usage_percent: 1 }] })).toEqual(['system.0.host']);
    expect(paths({ llm: [{ provider: 'p', model: 'm', user_id: '€'.repeat(500) }] })).toEqual([
      'llm.0.user_id',
    ]);
    expect(paths({ llm: [{ provider: 'p', model: 'm', user_id: '' }] })).toEqual([]);
  });
});
