import { setImmediate as nextTurn } from 'timers/promises';
import { performance } from 'perf_hooks';

/** The event loop is handed back after this much uninterrupted evaluation work. */
const DEFAULT_SLICE_MS = 10;

/**
 * Cooperative time slicing for long evaluations: under `npm start` the collector serves HTTP on
 * the same event loop (and PGlite runs its queries on it), so work over many series pauses every
 * few milliseconds to let requests through, and stops between two steps when its signal aborts.
 */
export class TimeSlice {
  private since = performance.now();

  constructor(
    private readonly signal?: AbortSignal,
    private readonly sliceMs = DEFAULT_SLICE_MS,
  ) {}

  get stopped(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Yields when the current slice is used up. */
  async pause(): Promise<void> {
    if (performance.now() - this.since >= this.sliceMs) {
      await nextTurn();
      this.since = performance.now();
    }
  }

  /** pause(), then throws the signal's reason once it aborted: a point where stopping is safe. */
  async checkpoint(): Promise<void> {
    await this.pause();
    this.signal?.throwIfAborted();
  }
}
