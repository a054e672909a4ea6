import crypto from 'crypto';

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/**
 * Checks a presented bearer token against the configured ones in constant time: each side
 * is hashed to a fixed length first, and every configured token is compared.
 */
export function tokenMatches(configured: readonly string[], presented: string | undefined): boolean {
  if (!presented) return false;
  const p = digest(presented);
  let ok = false;
  for (const t of configured) ok = crypto.timingSafeEqual(digest(t), p) || ok;
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\./.test(a);
}

/**
 * Short-lived signed tokens for clients that cannot send headers (EventSource, WebSocket in
 * browsers): `<expiry ms>.<scope>.<hmac>`, HMAC keyed by a secret derived from the configured tokens.
 */
export class SignedTokens {
  private readonly key: Buffer;

  constructor(secretMaterial: string) {
    this.key = crypto
      .createHash('sha256')
      .update('aihub-stream-token\u0000' + secretMaterial)
      .digest();
  }

  issue(scope: string, ttlMs: number, now = Date.now()): { token: string; expiresAt: number } {
    const expiresAt = now + ttlMs;
    const body = `${expiresAt}.${Buffer.from(scope).toString('base64url')}`;
    return { token: `${body}.${this.sign(body)}`, expiresAt };
  }

  /** The scope when the token is authentic and unexpired, else null. */
  verify(token: string | undefined, now = Date.now()): string | null {
    if (!token) return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const body = `${parts[0]}.${parts[1]}`;
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return null;
    if (!(Number(parts[0]) > now)) return null;
    return Buffer.from(parts[1], 'base64url').toString();
  }

  private sign(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
