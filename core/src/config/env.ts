import { parseDurationText } from '../model/time-input';

/** Small readers for configuration from the environment, with errors that name the variable. */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

export function envInt(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new ConfigError(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

export function envList(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function envString(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** "15s", "5m", "1h30m", "250ms" → milliseconds; a bare number is milliseconds (at most ten years). */
export function parseDuration(text: string): number {
  const parsed = parseDurationText(text, 'ms');
  if (!parsed.ok)
    throw new ConfigError(`not a duration: "${text}" (use e.g. 15s, 5m, 1h): ${parsed.message}`);
  return parsed.value;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
