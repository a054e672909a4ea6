// Anomaly detection: scoring throughput of the streaming detector, isolation-forest training
// and scoring against scikit-learn on the same machine, model sizes, and detection quality.
// Needs `npm run build` (requires alerting/dist); writes bench/results/anomaly.json.
const { spawnSync } = require('child_process');
const path = require('path');
const { writeResults } = require('./lib/results');

const dist = path.join(__dirname, '..', 'alerting', 'dist', 'anomaly');
const { createStreamingDetector, IsolationForest, extractFeatures, Standardiser } = require(dist);
const { seededRandom } = require(path.join(dist, 'random'));
const synthetic = require(path.join(dist, 'syntheticSeries'));
const { detectionQuality } = require(path.join(dist, 'evaluation'));
const { plainForestAlerts } = require(path.join(dist, 'plainForestDetector'));
const { IsolationForest: MlIsolationForest } = require('ml-isolation-forest');

const SKLEARN = path.join(__dirname, '..', 'alerting', 'src', 'anomaly', 'parity', 'sklearn_scores.py');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn, runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

function gaussianRows(n, d, seed) {
  const r = seededRandom(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() || 1e-300)) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, () => Array.from({ length: d }, g));
}

function sklearn(train, runs) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync('/usr/bin/python3', [SKLEARN], {
      input: JSON.stringify({ train, n_estimators: 100, max_samples: 256, random_state: i }),
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0) return null;
    results.push(JSON.parse(r.stdout.toString()));
  }
  return {
    trainMs: median(results.map((x) => x.train_seconds * 1000)),
    scoreMs: median(results.map((x) => x.score_seconds * 1000)),
  };
}

const results = [];
const add = (name, value, unit, target) => results.push({ name, value, unit, ...(target ? { target } : {}) });

// 1. Streaming detector throughput: 20,000 points, forest retrained every 500 points.
const long = synthetic.spikes(1, 20000).points;
const detector = createStreamingDetector();
let t = process.hrtime.bigint();
const cpu = process.cpuUsage();
for (const p of long) detector.update(p);
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
const used = process.cpuUsage(cpu);
add('detector scoring throughput (incl. retrains)', Math.round(long.length / seconds), 'points/s');
// CPU time of this process: on a shared machine the fair measure of one core.
add(
  'detector scoring throughput per CPU second (incl. retrains)',
  Math.round(long.length / ((used.user + used.system) / 1e6)),
  'points/s',
  '≥ 10000',
);
const state = JSON.stringify(detector.toJSON());
add('detector state JSON (1,000 points kept + model)', state.length, 'bytes');

// 2. Training on 1,000 points of the plan's 9 features (standardise + 100 trees, ψ = 256).
const raw1k = extractFeatures(synthetic.spikes(2, 1000).points);
add(
  'isolation forest train, 1,000 × 9',
  timeMs((i) => IsolationForest.train(Standardiser.fit(raw1k).transformAll(raw1k), { seed: i }), 7),
  'ms',
);
const X1k = Standardiser.fit(raw1k).transformAll(raw1k);
const forest1k = IsolationForest.train(X1k);
add('isolation forest model JSON, 100 trees', JSON.stringify(forest1k).length, 'bytes');
const ml = new MlIsolationForest({ nEstimators: 100 });
ml.train(X1k);
add('ml-isolation-forest 0.1.0 model JSON, same data', JSON.stringify(ml).length, 'bytes');

// 3. 10k × 7 against scikit-learn on this machine (target: not slower).
const X10k = gaussianRows(10000, 7, 3);
const oursTrain = timeMs((i) => IsolationForest.train(X10k, { seed: i }), 5);
const f10k = IsolationForest.train(X10k);
const oursScore = timeMs(() => f10k.scoreAll(X10k), 5);
add('isolation forest train 10k × 7 (ours)', oursTrain, 'ms');
add('isolation forest score 10k × 7 (ours)', oursScore, 'ms');
const sk = sklearn(X10k, 3);
if (sk) {
  add('isolation forest train 10k × 7 (scikit-learn)', sk.trainMs, 'ms');
  add('isolation forest score 10k × 7 (scikit-learn)', sk.scoreMs, 'ms');
  add('train speed vs scikit-learn', sk.trainMs / oursTrain, '× (>1 = ours faster)', '≥ 1');
  add('score speed vs scikit-learn', sk.scoreMs / oursScore, '× (>1 = ours faster)', '≥ 1');
}
t = process.hrtime.bigint();
const rowsScored = f10k.scoreAll(X10k).length;
add(
  'isolation forest scoring throughput',
  Math.round(rowsScored / (Number(process.hrtime.bigint() - t) / 1e9)),
  'rows/s',
);

// 4. Detection quality (event-level, see alerting/src/anomaly/evaluation.ts).
const quality = {};
for (const series of synthetic.syntheticSuite()) {
  const d = createStreamingDetector();
  const alerts = [];
  series.points.forEach((p, i) => {
    if (d.update(p).alert) alerts.push(i);
  });
  const ours = detectionQuality(series, alerts);
  const plain = detectionQuality(series, plainForestAlerts(series.points));
  quality[series.name] = { detector: ours, plainIsolationForest: plain };
  if (series.anomalies.length)
    add(`F1 ${series.name}: detector / plain IF`, `${ours.f1.toFixed(2)} / ${plain.f1.toFixed(2)}`, '');
  add(
    `false alerts/day ${series.name}: detector / plain IF`,
    `${ours.falseAlertsPerDay.toFixed(1)} / ${plain.falseAlertsPerDay.toFixed(1)}`,
    '',
  );
}

writeResults('anomaly', results, { quality });
for (const r of results)
  console.log(
    `${r.name}: ${typeof r.value === 'number' ? Number(r.value.toPrecision(4)) : r.value} ${r.unit}`,
  );
