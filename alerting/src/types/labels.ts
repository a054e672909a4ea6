import crypto from 'crypto';

export type Labels = Record<string, string>;

/** Labels sorted by name, as a stable string (map keys, joins, group keys). */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/** An alert's identity: its rule plus its labels (DESIGN.md: one incident per fingerprint). */
export function fingerprint(rule: string, labels: Labels): string {
  return crypto
    .createHash('sha256')
    .update(rule)
    .update('\u0000')
    .update(labelsKey(labels))
    .digest('hex')
    .slice(0, 16);
}
