import type { Operator } from '../config/schema';

/**
 * The rule condition. A non-finite value (a NaN or infinite loss) satisfies every operator but
 * equality: it is never a healthy reading, whichever direction the rule watches.
 */
export function compare(op: Operator, value: number, threshold: number): boolean {
  if (!Number.isFinite(value)) return op !== '==' && op !== '=';
  switch (op) {
    case '>':
      return value > threshold;
    case '<':
      return value < threshold;
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '==':
    case '=':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}
