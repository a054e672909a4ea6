import { bearerToken, isLoopbackAddress, SignedTokens, tokenMatches } from './tokens';

test('a token matches only one of the configured tokens exactly', () => {
  expect(tokenMatches(['alpha', 'beta'], 'beta')).toBe(true);
  expect(tokenMatches(['alpha', 'beta'], 'bet')).toBe(false);
  expect(tokenMatches(['alpha'], 'alpha ')).toBe(false);
  expect(tokenMatches(['alpha'], undefined)).toBe(false);
  expect(tokenMatches([], 'alpha')).toBe(false);
});

test('bearer tokens are read from the Authorization header', () => {
  expect(bearerToken('Bearer abc')).toBe('abc');
  expect(bearerToken('bearer abc')).toBe('abc');
  expect(bearerToken('Basic abc')).toBeUndefined();
  expect(bearerToken(undefined)).toBeUndefined();
});

test('loopback addresses include IPv4-mapped IPv6', () => {
  expect(isLoopbackAddress('127.0.0.1')).toBe(true);
  expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
  expect(isLoopbackAddress('::1')).toBe(true);
  expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  expect(isLoopbackAddress(undefined)).toBe(false);
});

test('signed stream tokens carry a scope, expire, and resist tampering', () => {
  const tokens = new SignedTokens('secret');
  const { token } = tokens.issue('stream', 1000, 0);
  expect(tokens.verify(token, 500)).toBe('stream');
  expect(tokens.verify(token, 1000)).toBeNull();
  expect(new SignedTokens('other').verify(token, 500)).toBeNull();
  const [exp, scope, mac] = token.split('.');
  expect(tokens.verify(`${Number(exp) + 1}.${scope}.${mac}`, 500)).toBeNull();
  expect(tokens.verify('garbage', 0)).toBeNull();
});
