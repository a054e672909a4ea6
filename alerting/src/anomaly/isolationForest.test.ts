import { IsolationForest } from './isolationForest';
import { averagePathLength } from './pathLength';
import { seededRandom } from './random';

function gaussianRows(n: number, d: number, seed: number): number[][] {
  const r = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() || 1e-300)) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, () => Array.from({ length: d }, g));
}

describe('averagePathLength c(n)', () => {
  it('is 2H(n−1) − 2(n−1)/n with H(i) = ln i + γ, and 0/1 at n ≤ 2', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(256) from the paper's formula, computed by hand: 2(ln 255 + 0.5772156649) − 2·255/256.
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256, 9);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });
});

describe('IsolationForest', () => {
  const rows = gaussianRows(1000, 4, 1);

  it('scores an isolated point far above ordinary ones', () => {
    const forest = IsolationForest.train(rows, { seed: 3 });
    const ordinary = forest.scoreAll(rows.slice(0, 200));
    const mean = ordinary.reduce((a, b) => a + b, 0) / ordinary.length;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.5);
    // scikit-learn gives 0.749 for this point on the same kind of data.
    expect(forest.score([6, 6, 6, 6])).toBeGreaterThan(0.7);
    expect(forest.score([6, 6, 6, 6])).toBeGreaterThan(Math.max(...ordinary));
  });

  it('is reproducible with a seed and differs with another seed', () => {
    const a = IsolationForest.train(rows, { seed: 11 }).scoreAll(rows.slice(0, 50));
    const b = IsolationForest.train(rows, { seed: 11 }).scoreAll(rows.slice(0, 50));
    const c = IsolationForest.train(rows, { seed: 12 }).scoreAll(rows.slice(0, 50));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('subsamples ψ = 256 rows per tree, so tree size does not grow with the training set', () => {
    const small = IsolationForest.train(rows, { seed: 1 });
    const large = IsolationForest.train(gaussianRows(20000, 4, 2), { seed: 1 });
    expect(small.sampleSize).toBe(256);
    expect(large.sampleSize).toBe(256);
    const size = (f: IsolationForest) => JSON.stringify(f).length;
    expect(size(large)).toBeLessThan(size(small) * 1.2);
    expect(size(large)).toBeLessThan(200_000);
  });

  it('round-trips through JSON with identical scores and keeps no training rows', () => {
    const forest = IsolationForest.train(rows, { seed: 5 });
    const json = JSON.parse(JSON.stringify(forest));
    expect(Object.keys(json).sort()).toEqual([
      'calendarFeatures',
      'kind',
      'nFeatures',
      'ranges',
      'sampleSize',
      'seed',
      'trees',
      'version',
    ]);
    const restored = IsolationForest.fromJSON(json);
    const probe = [...rows.slice(0, 100), [5, -5, 0, 2], [0, 0, 0, 0]];
    expect(restored.scoreAll(probe)).toEqual(forest.scoreAll(probe));
  });

  it('a retrain is a new forest: the old one keeps its scores, the new one reflects the new data', () => {
    const first = IsolationForest.train(rows, { seed: 1 });
    const shifted = rows.map((r) => r.map((x) => x + 10));
    const second = IsolationForest.train(shifted, { seed: 1 });
    const point = [10, 10, 10, 10];
    expect(first.score(point)).toBeGreaterThan(0.7);
    expect(second.score(point)).toBeLessThan(0.5);
  });

  it('handles a flat training set explicitly: matching points score 0, a deviation scores 1', () => {
    const flat = Array.from({ length: 300 }, () => [5, 5]);
    const forest = IsolationForest.train(flat);
    expect(forest.score([5, 5])).toBe(0);
    expect(forest.score([5, 5.001])).toBe(1);
    expect(Number.isFinite(forest.score([5, 5]))).toBe(true);
  });

  it('a feature constant in training makes any departure from it maximally surprising', () => {
    const partlyFlat = rows.map((r) => [r[0], r[1], 3]);
    const forest = IsolationForest.train(partlyFlat, { seed: 2 });
    expect(forest.score([0, 0, 3])).toBeLessThan(0.5);
    expect(forest.score([0, 0, 3.5])).toBe(1);
  });

  it('a calendar feature unseen in training (Tuesday after a Monday) is not an anomaly by itself', () => {
    const monday = rows.map((r) => [r[0], r[1], 0]);
    const forest = IsolationForest.train(monday, { seed: 2, calendarFeatures: [2] });
    expect(forest.score([0, 0, 1])).toBeLessThan(0.5);
    expect(IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest))).score([0, 0, 1])).toBe(
      forest.score([0, 0, 1]),
    );
    expect(() => IsolationForest.train(monday, { calendarFeatures: [3] })).toThrow(/calendar feature 3/);
  });

  it('rejects bad training data and corrupt models with a message', () => {
    expect(() => IsolationForest.train([])).toThrow(/no training rows/);
    expect(() => IsolationForest.train([[1, 2], [1]])).toThrow(/row 1 has 1 features/);
    expect(() => IsolationForest.train([[1, NaN]])).toThrow(/non-finite/);
    const json = IsolationForest.train(rows, { nEstimators: 3 }).toJSON();
    expect(() => IsolationForest.fromJSON({ ...json, trees: [{ f: json.trees[0].f, v: 'AAAA' }] })).toThrow(
      /corrupt/,
    );
    expect(() => IsolationForest.fromJSON({ kind: 'something-else' })).toThrow(/not a version 1 model/);
    expect(() => IsolationForest.train(rows).score([1, 2])).toThrow(/2 features, the model 4/);
  });
});
