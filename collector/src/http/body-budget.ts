import { ApiError } from './errors';

/**
 * What request bodies still being received or validated may hold at once: open bodies (a
 * count) and bytes. A slow client holds a body slot but almost no bytes, so 70 trickling
 * bodies cannot starve normal pushes the way a count of in-flight requests did; the byte
 * budget keeps memory bounded as before (MAX_INFLIGHT_PUSHES full-size bodies).
 */
export class BodyBudget {
  private bodies = 0;
  private bytes = 0;

  constructor(
    readonly maxBodies: number,
    readonly maxBytes: number,
  ) {}

  get openBodies(): number {
    return this.bodies;
  }

  /** A lease for one more body, or null when maxBodies are open. */
  open(): BodyLease | null {
    if (this.bodies >= this.maxBodies) return null;
    this.bodies++;
    let held = 0;
    let closed = false;
    return {
      take: (n: number) => {
        if (this.bytes + n > this.maxBytes) return false;
        this.bytes += n;
        held += n;
        return true;
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.bodies--;
        this.bytes -= held;
      },
    };
  }
}

export interface BodyLease {
  /** Claims n more bytes; false when the budget is spent (the caller answers 429). */
  take(n: number): boolean;
  /** Gives back the body slot and every byte taken. */
  close(): void;
}

export function overloadedError(): ApiError {
  return new ApiError(429, 'overloaded', 'the collector is at capacity; retry later', [], {
    'Retry-After': '1',
  });
}
