import { labelRegexMatches, labelRegexProblem } from './label-regex';
import { matcherMatches } from '../silence/silence';
import { routeMatches } from '../dispatch/routes';
import { routeSchema } from './schema';

describe('user regexes match in linear time (issue 11, finding 2)', () => {
  test('(a+)+$ against a long "a…a!" label takes milliseconds, not seconds', () => {
    const label = `${'a'.repeat(5000)}!`;
    // Reference in the same run: JavaScript's backtracking engine on 26 characters.
    const jsStart = process.hrtime.bigint();
    /^(?:(a+)+$)$/.test(`${'a'.repeat(22)}!`);
    const jsMs = Number(process.hrtime.bigint() - jsStart) / 1e6;
    const start = process.hrtime.bigint();
    const hit = matcherMatches(
      { name: 'host', value: '(a+)+$', is_regex: true, is_equal: true },
      { host: label },
    );
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    expect(hit).toBe(false);
    expect(ms).toBeLessThan(Math.max(200, jsMs)); // 5000 characters beat the backtracker's 22
  });

  test('fully anchored like Prometheus; RE2 syntax; unusable patterns are named', () => {
    expect(labelRegexMatches('gpu-0[1-3]', 'gpu-02')).toBe(true);
    expect(labelRegexMatches('gpu', 'gpu-02')).toBe(false);
    expect(labelRegexMatches('a.b', 'a\nb')).toBe(true); // `.` matches newlines, as in Prometheus 3
    expect(labelRegexProblem('(a)\\1')).toMatch(/RE2/); // backreferences do not exist in RE2
    expect(labelRegexProblem('(?=a)')).toMatch(/RE2/);
    expect(labelRegexProblem('x'.repeat(2000))).toMatch(/longer than/);
    expect(labelRegexProblem('(')).toMatch(/RE2/);
  });

  test('routes use the same engine and read only own labels', () => {
    const route = routeSchema.parse({ match_re: { host: '(a+)+$' }, channels: ['x'] });
    expect(routeMatches(route, { host: `${'a'.repeat(3000)}!` })).toBe(false);
    const proto = routeSchema.parse({ match: { team: 'x' }, channels: ['x'] });
    expect(routeMatches(proto, {})).toBe(false);
    expect(routeSchema.safeParse({ match_re: { constructor: '.*' }, channels: ['x'] }).success).toBe(false);
  });
});
