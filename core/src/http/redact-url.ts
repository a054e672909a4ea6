// Query parameters that carry credentials in webhook and API URLs.
const SECRET_PARAM = /^(?:token|access_token|api[-_]?key|key|secret|signature|sig|password|auth)$/i;

/**
 * A URL safe to show or log: user and password replaced by "***", credential query parameters
 * masked. Text that is not a URL comes back with any "user:pass@" masked all the same.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]*@/g, '//***@');
  }
  if (u.username || u.password) {
    u.username = '***';
    u.password = '';
  }
  for (const key of [...u.searchParams.keys()]) if (SECRET_PARAM.test(key)) u.searchParams.set(key, '***');
  return u.toString();
}

/** Masks every URL with credentials inside free text (error messages, log lines). */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (m) => redactUrl(m));
}
