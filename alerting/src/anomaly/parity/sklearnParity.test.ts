// Parity with scikit-learn's IsolationForest (Debian python3-sklearn, /usr/bin/python3) on the
// same standardised features of synthetic series with injected anomalies.
import { spawnSync } from 'child_process';
import path from 'path';
import { CALENDAR_FEATURES, extractFeatures } from '../features';
import { IsolationForest } from '../isolationForest';
import { averagePathLength } from '../pathLength';
import { Standardiser } from '../standardiser';
import { dailySeasonality, levelShifts, spikes, varianceChanges } from '../syntheticSeries';

const SCRIPT = path.join(__dirname, 'sklearn_scores.py');

function sklearnScores(train: number[][], randomState: number, score?: number[][]): number[] {
  const run = spawnSync('/usr/bin/python3', [SCRIPT], {
    input: JSON.stringify({ train, score, n_estimators: 100, max_samples: 256, random_state: randomState }),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`sklearn_scores.py failed: ${run.stderr.toString()}`);
  return JSON.parse(run.stdout.toString()).scores;
}

function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(values.length);
  // Average ranks for ties (constant features produce many).
  for (let k = 0; k < order.length;) {
    let j = k;
    while (j + 1 < order.length && order[j + 1][0] === order[k][0]) j++;
    for (let m = k; m <= j; m++) r[order[m][1]] = (k + j) / 2;
    k = j + 1;
  }
  return r;
}

function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (ra.length - 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i] - mean) * (rb[i] - mean);
    da += (ra[i] - mean) ** 2;
    db += (rb[i] - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}

function topK(scores: readonly number[], k: number): Set<number> {
  return new Set(
    scores
      .map((s, i) => [s, i] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, k)
      .map(([, i]) => i),
  );
}

describe('parity with scikit-learn IsolationForest (n_estimators=100, max_samples=256)', () => {
  it('uses the same c(n) as scikit-learn', () => {
    const run = spawnSync('/usr/bin/python3', [
      '-c',
      'import json; from sklearn.ensemble._iforest import _average_path_length as c; print(json.dumps(c([1,2,3,10,256,1000]).tolist()))',
    ]);
    expect(run.status).toBe(0);
    const theirs: number[] = JSON.parse(run.stdout.toString());
    [1, 2, 3, 10, 256, 1000].forEach((n, i) => expect(averagePathLength(n)).toBeCloseTo(theirs[i], 10));
  });

  const cases = [
    ['spikes', spikes(11, 1500)],
    ['level shifts', levelShifts(12, 1500)],
    ['variance changes', varianceChanges(13, 1500)],
    ['daily seasonality', dailySeasonality(14, 5)],
  ] as const;

  it.each(cases)('%s: scores rank like scikit-learn’s and the top anomalies overlap', (_name, series) => {
    const raw = extractFeatures(series.points);
    const X = Standardiser.fit(raw).transformAll(raw);
    const ours = IsolationForest.train(X, { seed: 7, calendarFeatures: CALENDAR_FEATURES }).scoreAll(X);
    const theirs = sklearnScores(X, 0);
    const theirsOtherSeed = sklearnScores(X, 1);

    const rho = spearman(ours, theirs);
    // How far two scikit-learn forests with different seeds agree: the bar for "same algorithm".
    const rhoSklearnSelf = spearman(theirsOtherSeed, theirs);
    expect(rho).toBeGreaterThan(0.9);
    expect(rho).toBeGreaterThan(rhoSklearnSelf - 0.03);

    const k = Math.ceil(0.01 * X.length);
    const overlap = [...topK(ours, k)].filter((i) => topK(theirs, k).has(i)).length / k;
    const overlapSelf = [...topK(theirsOtherSeed, k)].filter((i) => topK(theirs, k).has(i)).length / k;
    expect(overlap).toBeGreaterThanOrEqual(0.6);
    expect(overlap).toBeGreaterThanOrEqual(overlapSelf - 0.2);

    // Scores live on the same scale, not merely in the same order.
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    expect(Math.abs(mean(ours) - mean(theirs))).toBeLessThan(0.02);
    console.log(
      `${_name}: spearman ${rho.toFixed(3)} (sklearn seed vs seed ${rhoSklearnSelf.toFixed(3)}), top-1% overlap ${overlap.toFixed(2)} (${overlapSelf.toFixed(2)})`,
    );
  });

  it('scores unseen points like scikit-learn (trained on Monday, scored on Tuesday: calendar features exempt)', () => {
    const raw = extractFeatures(spikes(21, 2000).points);
    const s = Standardiser.fit(raw.slice(0, 1000));
    const train = s.transformAll(raw.slice(0, 1000));
    const test = s.transformAll(raw.slice(1000));
    const rho = spearman(
      IsolationForest.train(train, { seed: 3, calendarFeatures: CALENDAR_FEATURES }).scoreAll(test),
      sklearnScores(train, 0, test),
    );
    expect(rho).toBeGreaterThan(0.9);
  });
});
