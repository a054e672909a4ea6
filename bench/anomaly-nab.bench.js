// Detection quality on real labelled data: the Numenta Anomaly Benchmark files at NAB_DIR
// (default ../shared/nab), each scored by `aihub-alerting score` (the CLI's own function, so the
// same detector code as the service's anomaly rules), with and without the isolation forest,
// and scikit-learn's IsolationForest baseline (`nab_score.py baseline`) from the same run; all
// scored by ../shared/tools/nab_score.py. Needs `npm run build`, python3-numpy and
// python3-sklearn; without the data it prints that it skipped and writes nothing.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { writeResults } = require('./lib/results');

const ROOT = path.join(__dirname, '..');
const NAB_DIR = path.resolve(ROOT, process.env.NAB_DIR ?? '../shared/nab');
const SCORER = path.resolve(ROOT, process.env.NAB_SCORER ?? '../shared/tools/nab_score.py');
const PYTHON = '/usr/bin/python3';
const { runScoreCommand } = require(path.join(ROOT, 'alerting', 'dist', 'cli', 'score'));

/** Relative paths (category/file.csv) of the NAB data files. */
function dataFiles() {
  const data = path.join(NAB_DIR, 'data');
  return fs
    .readdirSync(data)
    .flatMap((c) => fs.readdirSync(path.join(data, c)).map((f) => `${c}/${f}`))
    .filter((f) => f.endsWith('.csv'))
    .sort();
}

const silent = { stdout: { write() {} }, stderr: { write() {} } };

/**
 * Scores every file into `outDir` with the CLI; returns points, wall seconds and CPU seconds
 * (this process's user + system time: on a shared machine the fair measure of one core).
 */
async function scoreAll(files, outDir, extraArgs) {
  let points = 0;
  let seconds = 0;
  const cpu = process.cpuUsage();
  for (const rel of files) {
    const output = path.join(outDir, rel);
    fs.mkdirSync(path.dirname(output), { recursive: true });
    const t = process.hrtime.bigint();
    const code = await runScoreCommand(
      ['--input', path.join(NAB_DIR, 'data', rel), '--output', output, ...extraArgs],
      silent,
    );
    seconds += Number(process.hrtime.bigint() - t) / 1e9;
    if (code !== 0) throw new Error(`aihub-alerting score failed on ${rel} (exit ${code})`);
    points += fs.readFileSync(output, 'utf8').trim().split('\n').length - 1;
  }
  const used = process.cpuUsage(cpu);
  return { points, seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Runs nab_score.py score and parses "NAB <profile>: <score> (best threshold <t>, …)" and its category lines. */
function nabScore(resultsDir) {
  const r = spawnSync(PYTHON, [SCORER, 'score', NAB_DIR, resultsDir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nab_score.py score failed: ${r.stderr}`);
  const profiles = {};
  let current = null;
  for (const line of r.stdout.split('\n')) {
    const head = /^NAB (\S+): (-?[\d.]+) \(best threshold ([\d.]+), (\d+) files missing\)/.exec(line);
    if (head) {
      current = { score: Number(head[2]), threshold: Number(head[3]), categories: {} };
      profiles[head[1]] = current;
      continue;
    }
    const cat = /^\s+(\S+)\s+(.+)$/.exec(line);
    if (cat && current) current.categories[cat[1]] = Number.isNaN(Number(cat[2])) ? cat[2] : Number(cat[2]);
  }
  return profiles;
}

async function main() {
  if (!fs.existsSync(path.join(NAB_DIR, 'labels', 'combined_windows.json'))) {
    console.log(`anomaly-nab: skipped, no NAB data at ${NAB_DIR} (set NAB_DIR)`);
    return;
  }
  const files = dataFiles();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'anomaly-nab-'));
  try {
    const full = await scoreAll(files, path.join(work, 'detector'), []);
    const noForest = await scoreAll(files, path.join(work, 'no-forest'), ['--no-forest']);
    const ours = nabScore(path.join(work, 'detector'));
    const ablation = nabScore(path.join(work, 'no-forest'));

    const t = process.hrtime.bigint();
    const b = spawnSync(PYTHON, [SCORER, 'baseline', NAB_DIR, path.join(work, 'sklearn')], {
      encoding: 'utf8',
    });
    const baselineSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const baseline = b.status === 0 ? nabScore(path.join(work, 'sklearn')) : null;
    if (!baseline) console.error(`scikit-learn baseline failed (python3-sklearn?): ${b.stderr}`);

    const results = [];
    const add = (name, value, unit, target) =>
      results.push({ name, value, unit, ...(target ? { target } : {}) });
    add('NAB standard (detector)', ours.standard.score, 'score', '≥ 60');
    add('NAB reward_low_FP_rate (detector)', ours.reward_low_FP_rate.score, 'score');
    add('NAB reward_low_FN_rate (detector)', ours.reward_low_FN_rate.score, 'score');
    add('NAB standard optimal threshold', ours.standard.threshold, 'score_threshold');
    add('NAB standard without the isolation forest', ablation.standard.score, 'score');
    add('NAB reward_low_FP_rate without the isolation forest', ablation.reward_low_FP_rate.score, 'score');
    if (baseline) {
      add('NAB standard scikit-learn IsolationForest baseline', baseline.standard.score, 'score');
      add('NAB reward_low_FP_rate scikit-learn baseline', baseline.reward_low_FP_rate.score, 'score');
    }
    for (const [c, v] of Object.entries(ours.standard.categories))
      add(`NAB standard ${c}`, v, typeof v === 'number' ? 'score' : '');
    add(
      'detector throughput over NAB via the CLI (incl. parsing, retrains), per CPU second',
      Math.round(full.points / full.cpuSeconds),
      'points/s',
      '≥ 10000',
    );
    add('same, wall clock (shared machine)', Math.round(full.points / full.seconds), 'points/s');
    add(
      'same without the forest, per CPU second',
      Math.round(noForest.points / noForest.cpuSeconds),
      'points/s',
    );
    writeResults('anomaly-nab', results, {
      nabDir: path.relative(ROOT, NAB_DIR),
      files: files.length,
      points: full.points,
      detector: ours,
      withoutForest: ablation,
      sklearnBaseline: baseline,
      sklearnBaselineSeconds: baselineSeconds,
    });
    for (const r of results) console.log(`${r.name}: ${r.value} ${r.unit}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
