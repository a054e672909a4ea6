// ml-isolation-forest 0.1.0 (the library DESIGN.md names) against ours, defect by defect.
import { IsolationForest as MlIsolationForest } from 'ml-isolation-forest';
import { IsolationForest } from './isolationForest';
import { seededRandom } from './random';

function rows(n: number, offset: number, seed: number): number[][] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => [offset + r(), offset + r(), offset + r()]);
}

describe('ml-isolation-forest 0.1.0 defects that our IsolationForest does not have', () => {
  const normal = rows(600, 0, 1);

  it('a second train() on the same instance is ignored by ml-isolation-forest; ours retrains as a new forest', () => {
    const ml = new MlIsolationForest({ nEstimators: 50 });
    ml.train(normal);
    const moved = rows(600, 100, 2);
    ml.train(moved);
    // Still the first trees: points of the new, now normal, data look anomalous.
    const mlScores: number[] = ml.predict(moved.slice(0, 50));
    expect(Math.min(...mlScores)).toBeGreaterThan(0.6);

    const ours = IsolationForest.train(moved, { nEstimators: 50 });
    const ourScores = ours.scoreAll(moved.slice(0, 50));
    expect(ourScores.reduce((a, b) => a + b, 0) / 50).toBeLessThan(0.55);
    expect(Math.max(...ourScores)).toBeLessThan(Math.min(...mlScores));
  });

  it('ml-isolation-forest is unseeded (two trainings differ); ours is reproducible', () => {
    const a = new MlIsolationForest({ nEstimators: 20 });
    const b = new MlIsolationForest({ nEstimators: 20 });
    a.train(normal);
    b.train(normal);
    expect(a.predict(normal.slice(0, 20))).not.toEqual(b.predict(normal.slice(0, 20)));
    const probe = normal.slice(0, 20);
    expect(IsolationForest.train(normal, { seed: 9 }).scoreAll(probe)).toEqual(
      IsolationForest.train(normal, { seed: 9 }).scoreAll(probe),
    );
  });

  it('ml-isolation-forest keeps every training row in its leaves and grows with the data; ours does not', () => {
    const big = rows(5000, 0, 3);
    const ml = new MlIsolationForest({ nEstimators: 20 });
    ml.train(big);
    const ours = IsolationForest.train(big, { nEstimators: 20 });
    const mlSize = JSON.stringify(ml).length;
    const ourSize = JSON.stringify(ours).length;
    expect(mlSize).toBeGreaterThan(20 * 5000 * 3 * 10); // ≈ every row once per tree
    expect(ourSize).toBeLessThan(mlSize / 50);
  });

  it('without per-tree subsampling ml-isolation-forest swamps a small cluster of anomalies; with ψ = 256 ours isolates it', () => {
    // 2,000 normal rows plus a tight cluster of 60 anomalies: masking, the paper's motivating case.
    const r = seededRandom(4);
    const data = [
      ...rows(2000, 0, 4),
      ...Array.from({ length: 60 }, () => [3 + 0.01 * r(), 3 + 0.01 * r(), 3 + 0.01 * r()]),
    ];
    const probe = [3.005, 3.005, 3.005];
    const ml = new MlIsolationForest({ nEstimators: 100 });
    ml.train(data);
    const ours = IsolationForest.train(data, { seed: 1 });
    const ordinary = ours.scoreAll(data.slice(0, 200));
    expect(ours.score(probe)).toBeGreaterThan(Math.max(...ordinary.slice(0, 200)) - 0.05);
    expect(ours.score(probe)).toBeGreaterThan(ml.predict([probe])[0]);
  });
});
