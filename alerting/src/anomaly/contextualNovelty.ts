/**
 * Contextual novelty: the surprise of the newest value given the one before it. Values are
 * put on a coarse grid of levels learned from the series' first points; the detector
 * remembers which level has followed which. A step to a level never seen after the
 * previous one — a spike, a jump to a new level, a value outside the learned range, a
 * pattern that never happened — is novel; everything the series has done before is not.
 * The grade grows with the distance to the nearest successor seen before, so a step one
 * level beyond the usual is weaker than a jump far outside it.
 *
 * The idea (conditional probability of the newest value given its context, on a quantised
 * value) is the one behind the best published streaming detectors on NAB; this is a small
 * first-order version of it.
 */

export interface ContextualNoveltyOptions {
  /** Levels across the learned range (default 5: coarse, so noise stays within a level or two). */
  levels?: number;
  /** Points that define the grid: their min and max span the levels (default 300). */
  learnPoints?: number;
  /** Distance in levels to the nearest known successor that grades a novelty 1 (default 3). */
  fullScaleLevels?: number;
  /**
   * The learned range is widened by this fraction on each side before it is split (default
   * 0.25): the first points rarely show a series' full spread, and noise just past them is
   * not novel.
   */
  margin?: number;
}

export interface ContextualNoveltyJSON {
  options: Required<ContextualNoveltyOptions>;
  /** Value at level 0 (0 until the grid is learned). */
  low: number;
  step: number;
  flat: boolean;
  previous: number | null;
  /** Values seen while the grid is still being learned. */
  learning: number[];
  /** [level, levels that followed it] pairs. */
  successors: [number, number[]][];
}

/** Levels beyond the learned range are kept apart up to this far, then merged. */
const MAX_LEVELS_OUTSIDE = 64;
/** A series flat during learning gets a grid of this fraction of its level (or of 1 near 0). */
const FLAT_STEP_FRACTION = 0.05;

export class ContextualNovelty {
  private low = 0;
  /** Width of a level; 0 until the grid is learned. */
  private step = 0;
  /** The learning points were all equal. */
  private flat = false;
  private previous: number | null = null;
  private successors = new Map<number, Set<number>>();
  /** Values seen while learning: replayed into the successors once the grid exists. */
  private learning: number[] = [];
  private readonly options: Required<ContextualNoveltyOptions>;

  constructor(options: ContextualNoveltyOptions = {}) {
    this.options = {
      levels: options.levels ?? 5,
      learnPoints: options.learnPoints ?? 300,
      fullScaleLevels: options.fullScaleLevels ?? 3,
      margin: options.margin ?? 0.25,
    };
    const { levels, learnPoints, fullScaleLevels, margin } = this.options;
    if (!Number.isInteger(levels) || levels < 2)
      throw new RangeError(`levels must be an integer ≥ 2, got ${levels}`);
    if (!Number.isInteger(learnPoints) || learnPoints < 2)
      throw new RangeError(`learnPoints must be an integer ≥ 2, got ${learnPoints}`);
    if (!(fullScaleLevels > 0)) throw new RangeError(`fullScaleLevels must be > 0, got ${fullScaleLevels}`);
    if (!(margin >= 0)) throw new RangeError(`margin must be ≥ 0, got ${margin}`);
  }

  /** True once the grid is learned and novelty can be judged. */
  get ready(): boolean {
    return this.step > 0;
  }

  /** Feeds the newest value; returns its novelty grade in [0, 1] (0 while learning). */
  observe(value: number): number {
    if (this.step === 0) {
      this.learning.push(value);
      if (this.learning.length < this.options.learnPoints) return 0;
      this.learnGrid();
      // What the series did while the grid was learned is known, not novel: the newest
      // learning value is judged like any later one.
      const replay = this.learning.slice(0, -1);
      this.learning = [];
      for (const v of replay) this.remember(this.levelOf(v));
    }
    return this.remember(this.levelOf(value));
  }

  /** Records the step previous → level; returns its novelty grade. */
  private remember(level: number): number {
    let grade = 0;
    if (this.previous !== null) {
      let next = this.successors.get(this.previous);
      if (!next) this.successors.set(this.previous, (next = new Set()));
      if (!next.has(level)) {
        let distance = Infinity;
        for (const known of next) distance = Math.min(distance, Math.abs(known - level));
        // A series flat while learning has no spread to measure against: any step is news.
        grade = this.flat ? 1 : Math.min(1, distance / this.options.fullScaleLevels);
        next.add(level);
      }
    }
    this.previous = level;
    return grade;
  }

  private learnGrid(): void {
    let low = Infinity;
    let high = -Infinity;
    for (const v of this.learning) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    this.low = low;
    if (high > low) {
      const pad = (high - low) * this.options.margin;
      this.low = low - pad;
      this.step = (high + pad - this.low) / (this.options.levels - 1);
    } else {
      this.flat = true;
      this.step = Math.max(Math.abs(low), 1) * FLAT_STEP_FRACTION;
    }
  }

  /** Rounded: each level covers half a step either side of its centre. */
  private levelOf(value: number): number {
    const level = Math.round((value - this.low) / this.step);
    const top = this.options.levels - 1 + MAX_LEVELS_OUTSIDE;
    return Math.max(-MAX_LEVELS_OUTSIDE, Math.min(top, level));
  }

  toJSON(): ContextualNoveltyJSON {
    return {
      options: this.options,
      low: this.low,
      step: this.step,
      flat: this.flat,
      previous: this.previous,
      learning: [...this.learning],
      successors: [...this.successors].map(([level, next]) => [level, [...next]]),
    };
  }

  static fromJSON(json: ContextualNoveltyJSON): ContextualNovelty {
    const c = new ContextualNovelty(json.options);
    c.low = Number(json.low) || 0;
    c.step = Number(json.step) || 0;
    c.flat = json.flat === true;
    c.previous = json.previous ?? null;
    c.learning = (json.learning ?? []).map(Number);
    for (const [level, next] of json.successors ?? [])
      c.successors.set(Number(level), new Set(next.map(Number)));
    return c;
  }
}
