import { RE2JS } from 're2js';

/**
 * Regular expressions users write for silences and routes, matched in linear time by RE2
 * (re2js, a port of the engine Prometheus and Alertmanager use): no backtracking, so
 * `(a+)+$` against a long label costs microseconds, not seconds. Fully anchored like
 * Prometheus, and `.` matches newlines as in Prometheus 3 (docs/hardening.md lists where RE2
 * syntax differs from JavaScript's).
 */
export const MAX_PATTERN_LENGTH = 1024;
const CACHE_SIZE = 1000;
const compiled = new Map<string, RE2JS>();

/** Why a pattern cannot be used, or null. */
export function labelRegexProblem(pattern: string): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    compile(pattern);
    return null;
  } catch (err) {
    return `is not a valid RE2 regular expression: ${(err as Error).message}`;
  }
}

/** True when the whole value matches the pattern; an unusable pattern matches nothing. */
export function labelRegexMatches(pattern: string, value: string): boolean {
  let re: RE2JS;
  try {
    re = compile(pattern);
  } catch {
    return false;
  }
  return re.matches(value);
}

function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    if (pattern.length > MAX_PATTERN_LENGTH) throw new Error('pattern too long');
    re = RE2JS.compile(pattern, RE2JS.DOTALL);
    if (compiled.size >= CACHE_SIZE) compiled.delete(compiled.keys().next().value!);
    compiled.set(pattern, re);
  }
  return re;
}
