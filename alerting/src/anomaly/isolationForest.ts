import { averagePathLength } from './pathLength';
import { randomInt, seededRandom, type Random } from './random';

export interface IsolationForestOptions {
  /** Number of trees (default 100, as the original plan and scikit-learn). */
  nEstimators?: number;
  /** Rows drawn without replacement for each tree (default 256, the paper's ψ). */
  maxSamples?: number;
  /** Seed of the PRNG; the same seed and data give the same forest (default 42). */
  seed?: number;
  /**
   * Columns whose unseen values are not anomalous in themselves, such as hour of day or
   * weekday (a model trained on Monday must not flag every Tuesday point). They are exempt
   * from the constant-feature rule; trees still split on them.
   */
  calendarFeatures?: number[];
}

/** The persisted form (anomaly_models): trees as base64 typed arrays, no training rows. */
export interface IsolationForestJSON {
  kind: 'isolation-forest';
  version: 1;
  nFeatures: number;
  sampleSize: number;
  seed: number;
  /** Per-feature [min, max] of the training rows; min === max marks a constant feature. */
  ranges: Array<[number, number]>;
  calendarFeatures: number[];
  /** Each tree in preorder: `f` feature per node (Int8, −1 = leaf), `v` split value or leaf size (Float32). */
  trees: Array<{ f: string; v: string }>;
}

/** One isolation tree in preorder; the left child of node i is i + 1. */
interface Tree {
  feature: Int8Array;
  value: Float32Array;
  right: Int32Array;
  /** For leaves: c(leaf size), the expected depth of the subtree that was not grown. */
  leafCorrection: Float64Array;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The smallest float32 strictly above a float32 value. */
function nextFloat32Up(x: number): number {
  if (x === 0) return 1.401298464324817e-45;
  f32[0] = x;
  u32[0] += x > 0 ? 1 : -1;
  return f32[0];
}

/**
 * A split value in [min, max) that survives float32 storage, so a reloaded model routes every
 * point exactly as the trained one did. Null when the range is too narrow for float32.
 */
function float32Split(min: number, max: number, u: number): number | null {
  let s = Math.fround(min + u * (max - min));
  if (s < min) s = nextFloat32Up(s);
  if (s >= max) {
    s = Math.fround(min);
    if (s < min) s = nextFloat32Up(s);
    if (s >= max) return null;
  }
  return s;
}

function withLeafCorrections(feature: Int8Array, value: Float32Array): Tree {
  const n = feature.length;
  const right = new Int32Array(n);
  const leafCorrection = new Float64Array(n);
  // Preorder decode: a node's right child starts after its whole left subtree.
  const end = (i: number): number => {
    if (feature[i] < 0) {
      right[i] = -1;
      leafCorrection[i] = averagePathLength(value[i]);
      return i + 1;
    }
    const afterLeft = end(i + 1);
    right[i] = afterLeft;
    return end(afterLeft);
  };
  if (end(0) !== n) throw new Error('isolation tree: malformed preorder encoding');
  return { feature, value, right, leafCorrection };
}

function growTree(
  rows: readonly (readonly number[])[],
  sample: number[],
  maxDepth: number,
  random: Random,
): Tree {
  const nFeatures = rows[0].length;
  const features: number[] = [];
  const values: number[] = [];
  const mins = new Float64Array(nFeatures);
  const maxs = new Float64Array(nFeatures);

  const grow = (idx: number[], depth: number): void => {
    const at = features.length;
    features.push(-1);
    values.push(idx.length);
    if (depth >= maxDepth || idx.length <= 1) return;
    mins.fill(Infinity);
    maxs.fill(-Infinity);
    for (const i of idx) {
      const row = rows[i];
      for (let f = 0; f < nFeatures; f++) {
        const x = row[f];
        if (x < mins[f]) mins[f] = x;
        if (x > maxs[f]) maxs[f] = x;
      }
    }
    // Like scikit-learn's extra trees: a constant feature cannot split, so pick among the others.
    const candidates: number[] = [];
    for (let f = 0; f < nFeatures; f++) if (maxs[f] > mins[f]) candidates.push(f);
    while (candidates.length > 0) {
      const k = randomInt(random, candidates.length);
      const f = candidates[k];
      const split = float32Split(mins[f], maxs[f], random());
      if (split === null) {
        candidates.splice(k, 1);
        continue;
      }
      const left: number[] = [];
      const right: number[] = [];
      for (const i of idx) (rows[i][f] <= split ? left : right).push(i);
      features[at] = f;
      values[at] = split;
      grow(left, depth + 1);
      grow(right, depth + 1);
      return;
    }
  };
  grow(sample, 0);
  return withLeafCorrections(Int8Array.from(features), Float32Array.from(values));
}

/**
 * `k` distinct indices of [0, pool.length) by a partial Fisher–Yates over `pool`, which is
 * reused across trees: shuffling an already shuffled pool is still uniform, and it saves an
 * n-sized allocation per tree.
 */
function sampleWithoutReplacement(pool: Int32Array, k: number, random: Random): number[] {
  const n = pool.length;
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(random, n - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return Array.from(pool.subarray(0, k));
}

/**
 * Isolation forest after Liu, Ting & Zhou (2008). Unlike ml-isolation-forest 0.1.0 it
 * subsamples ψ rows per tree, uses the correct c(n), is seeded, keeps no training rows, and
 * is immutable: `IsolationForest.train` returns a new forest, so a retrain can never keep
 * predicting with the old trees.
 *
 * Scores are the paper's s(x) = 2^(−E[h(x)]/c(ψ)) in (0, 1]: ≈ 0.5 ordinary, → 1 isolated
 * (scikit-learn's `score_samples` is −s). Flat training data is handled explicitly: a
 * feature that was constant in training cannot split, so a point that leaves that constant
 * scores 1 (maximally surprising) — except calendar features; and if every feature was
 * constant, points that match score 0 (nothing to be surprised about).
 */
export class IsolationForest {
  private constructor(
    private readonly trees: Tree[],
    private readonly ranges: Array<[number, number]>,
    private readonly calendarFeatures: ReadonlySet<number>,
    /** ψ actually used: min(maxSamples, rows). */
    readonly sampleSize: number,
    readonly seed: number,
  ) {}

  static train(rows: readonly (readonly number[])[], options: IsolationForestOptions = {}): IsolationForest {
    const nEstimators = options.nEstimators ?? 100;
    const maxSamples = options.maxSamples ?? 256;
    const seed = options.seed ?? 42;
    if (rows.length === 0) throw new Error('isolation forest: no training rows');
    const nFeatures = rows[0].length;
    if (nFeatures === 0 || nFeatures > 127)
      throw new Error('isolation forest: 1 to 127 features are supported');
    rows.forEach((row, i) => {
      if (row.length !== nFeatures)
        throw new Error(`isolation forest: row ${i} has ${row.length} features, expected ${nFeatures}`);
      if (!row.every(Number.isFinite)) throw new Error(`isolation forest: row ${i} has a non-finite value`);
    });
    if (!Number.isInteger(nEstimators) || nEstimators < 1)
      throw new Error('isolation forest: nEstimators must be a positive integer');
    if (!Number.isInteger(maxSamples) || maxSamples < 2)
      throw new Error('isolation forest: maxSamples must be an integer ≥ 2');

    const random = seededRandom(seed);
    const sampleSize = Math.min(maxSamples, rows.length);
    const maxDepth = Math.ceil(Math.log2(Math.max(sampleSize, 2)));
    const trees: Tree[] = [];
    const pool = Int32Array.from({ length: rows.length }, (_, i) => i);
    for (let t = 0; t < nEstimators; t++) {
      trees.push(growTree(rows, sampleWithoutReplacement(pool, sampleSize, random), maxDepth, random));
    }
    const ranges: Array<[number, number]> = [];
    for (let f = 0; f < nFeatures; f++) {
      let min = Infinity;
      let max = -Infinity;
      for (const row of rows) {
        if (row[f] < min) min = row[f];
        if (row[f] > max) max = row[f];
      }
      ranges.push([min, max]);
    }
    const calendar = new Set(options.calendarFeatures ?? []);
    for (const f of calendar)
      if (!Number.isInteger(f) || f < 0 || f >= nFeatures)
        throw new Error(`isolation forest: calendar feature ${f} does not exist`);
    return new IsolationForest(trees, ranges, calendar, sampleSize, seed);
  }

  get nFeatures(): number {
    return this.ranges.length;
  }

  get nEstimators(): number {
    return this.trees.length;
  }

  /** Anomaly score s(x) in [0, 1] of one row. */
  score(row: readonly number[]): number {
    if (row.length !== this.ranges.length) {
      throw new Error(`isolation forest: row has ${row.length} features, the model ${this.ranges.length}`);
    }
    let allConstant = true;
    for (let f = 0; f < row.length; f++) {
      const [min, max] = this.ranges[f];
      if (min !== max || this.calendarFeatures.has(f)) {
        allConstant = false;
        continue;
      }
      if (Math.abs(row[f] - min) > 1e-9 * Math.max(1, Math.abs(min))) return 1;
    }
    if (allConstant) return 0;
    return 2 ** (-this.meanPathLength(row) / averagePathLength(this.sampleSize));
  }

  scoreAll(rows: readonly (readonly number[])[]): number[] {
    return rows.map((row) => this.score(row));
  }

  /** E[h(x)]: mean over trees of the depth reached plus c(size) of the leaf. */
  meanPathLength(row: readonly number[]): number {
    let total = 0;
    for (const tree of this.trees) {
      const { feature, value, right } = tree;
      let i = 0;
      let depth = 0;
      while (feature[i] >= 0) {
        i = row[feature[i]] <= value[i] ? i + 1 : right[i];
        depth++;
      }
      total += depth + tree.leafCorrection[i];
    }
    return total / this.trees.length;
  }

  toJSON(): IsolationForestJSON {
    const b64 = (a: Int8Array | Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return {
      kind: 'isolation-forest',
      version: 1,
      nFeatures: this.ranges.length,
      sampleSize: this.sampleSize,
      seed: this.seed,
      ranges: this.ranges.map(([a, b]) => [a, b]),
      calendarFeatures: [...this.calendarFeatures],
      trees: this.trees.map((t) => ({ f: b64(t.feature), v: b64(t.value) })),
    };
  }

  static fromJSON(json: unknown): IsolationForest {
    const j = json as Partial<IsolationForestJSON> | null;
    if (!j || j.kind !== 'isolation-forest' || j.version !== 1)
      throw new Error('isolation forest: not a version 1 model');
    if (!Number.isInteger(j.sampleSize) || (j.sampleSize as number) < 1)
      throw new Error('isolation forest: bad sampleSize');
    if (!Array.isArray(j.ranges) || j.ranges.length !== j.nFeatures)
      throw new Error('isolation forest: bad ranges');
    if (!Array.isArray(j.trees) || j.trees.length === 0) throw new Error('isolation forest: no trees');
    const trees = j.trees.map((t, k) => {
      const fb = Buffer.from(String(t?.f), 'base64');
      const vb = Buffer.from(String(t?.v), 'base64');
      if (vb.length !== fb.length * 4) throw new Error(`isolation forest: tree ${k} is corrupt`);
      const feature = new Int8Array(fb.length);
      feature.set(new Int8Array(fb.buffer, fb.byteOffset, fb.length));
      const value = new Float32Array(new Uint8Array(vb).buffer);
      if (feature.some((f) => f >= (j.nFeatures as number)))
        throw new Error(`isolation forest: tree ${k} names an unknown feature`);
      return withLeafCorrections(feature, value);
    });
    const calendar = new Set((j.calendarFeatures ?? []).map(Number));
    return new IsolationForest(
      trees,
      j.ranges.map(([a, b]) => [Number(a), Number(b)]),
      calendar,
      j.sampleSize as number,
      Number(j.seed),
    );
  }
}
