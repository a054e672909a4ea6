import crypto from 'crypto';
import type { Alert } from './alert';

/** Identity of an alert set: which alerts, in which state. */
export function alertSetHash(alerts: Alert[]): string {
  const parts = alerts.map((a) => `${a.fingerprint}:${a.status}`).sort();
  return crypto.createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 32);
}
