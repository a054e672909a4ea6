import { createFastPushParser } from './push-fast-path';
import { createPushSchema } from './push-schema';
import { defaultLimits } from './limits';
import { bodies, good, now } from '../testing/push-corpus';

const schema = createPushSchema(defaultLimits, now);
const fast = createFastPushParser(defaultLimits, now);

describe('the fast path for all-samples pushes', () => {
  test.each(bodies.map((b, i) => [i, b]))(
    'body %i: what it accepts the schema accepts with the same payload',
    (_i, body) => {
      const quick = fast(body);
      if (quick === undefined) return;
      const full = schema.safeParse(body);
      expect(full.success).toBe(true);
      expect(quick).toEqual(full.data);
    },
  );

  test('it takes the common pushes itself, so it is not a no-op', () => {
    const body = { samples: [good, { name: 'a', value: 0 }, { name: 'b', value: 1, labels: {} }] };
    expect(fast(body)).toBe(body);
    const bench = JSON.parse(JSON.stringify({ samples: Array.from({ length: 1000 }, () => good) }));
    expect(fast(bench)).toBe(bench);
  });

  test('it leaves every rejected body to the schema', () => {
    for (const body of bodies) if (!schema.safeParse(body).success) expect(fast(body)).toBeUndefined();
  });
});
