// The first `npm start` on a fresh data directory (scripts/start.js: collector and alerting in
// one process on PGlite), side by side in one run with what it replaces and what it must match:
// - initdb in the serving process, as every first start did before the build-time template
//   (openPGlite with no template, alone: the database part of the old first start);
// - a later start on the directory the first start made ("later starts unchanged").
// Figures: time from spawn to the printed URLs, peak RSS; then the suite's peak RSS while
// 16 connections push 1,000-sample bodies for BENCH_FIRST_START_LOAD_SECONDS.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { writeResults } = require('./lib/results');
const { startService } = require('./lib/service-process');
const { makeBodies, pushLoad } = require('./lib/push-load');
const { pgliteTemplateIsCurrent } = require('../core/dist');

const START = path.join(__dirname, '..', 'scripts', 'start.js');
const TOKEN = 'bench-token';
const LOAD_SECONDS = Number(process.env.BENCH_FIRST_START_LOAD_SECONDS ?? 15);
const READY = /collector\s+(http:\/\/\S+)[\s\S]*Ctrl-C flushes and stops/;

async function startSuite(dataDir) {
  const t0 = process.hrtime.bigint();
  const svc = startService(
    START,
    {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      AIHUB_TOKENS: TOKEN,
      COLLECTOR_PORT: '0',
      ALERTING_PORT: '0',
      SELF_METRICS_INTERVAL: '0',
      LOG_LEVEL: 'warn',
    },
    READY,
  );
  const url = await svc.ready;
  return { svc, url, readyMs: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** The old first start's database part: PGlite's initdb in the process. */
function initdbInProcess(dataDir) {
  const code = `
    const t0 = process.hrtime.bigint();
    const { openPGlite } = require(${JSON.stringify(path.join(__dirname, '..', 'core', 'dist', 'storage', 'pglite'))});
    const { migrate } = require(${JSON.stringify(path.join(__dirname, '..', 'core', 'dist'))});
    openPGlite(${JSON.stringify(dataDir)}, { template: null })
      .then(async (db) => { await migrate(db); await db.close(); })
      .then(() => {
        const hwm = /VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1];
        console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, peakRssMb: hwm / 1024 }));
      });`;
  const r = require('child_process').spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`initdb run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main() {
  if (!pgliteTemplateIsCurrent()) throw new Error('no current PGlite template: run `npm run build` first');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-first-start-'));
  try {
    const initdb = initdbInProcess(path.join(root, 'initdb'));
    console.log('initdb in process', initdb);

    const dataDir = path.join(root, 'data');
    const first = await startSuite(dataDir);
    const firstStart = { ready_ms: first.readyMs, peak_rss_mb: first.svc.memory().peakRssMb };
    console.log('first start', firstStart);
    let peak = 0;
    const poll = setInterval(() => (peak = Math.max(peak, first.svc.memory().rssMb)), 200);
    const load = await pushLoad(first.url, TOKEN, {
      connections: 16,
      duration: LOAD_SECONDS,
      bodies: makeBodies(32, 1000),
    });
    clearInterval(poll);
    const underLoad = {
      peak_rss_mb: Math.max(peak, first.svc.memory().peakRssMb),
      samples_per_s: (load['2xx'] * 1000) / load.duration,
      non_2xx: load.non2xx,
      errors: load.errors,
    };
    console.log('under load', underLoad);
    await first.svc.stop();

    const later = await startSuite(dataDir);
    const laterStart = { ready_ms: later.readyMs, peak_rss_mb: later.svc.memory().peakRssMb };
    console.log('later start', laterStart);
    await later.svc.stop();

    writeResults(
      'first-start',
      [
        { name: 'first start: ready', value: firstStart.ready_ms, unit: 'ms', target: '< 3000' },
        { name: 'first start: peak RSS', value: firstStart.peak_rss_mb, unit: 'MB', target: '< 500' },
        {
          name: 'first start, then load: peak RSS',
          value: underLoad.peak_rss_mb,
          unit: 'MB',
          target: '< 500',
        },
        { name: 'first start, then load: samples/s', value: underLoad.samples_per_s, unit: 'samples/s' },
        { name: 'later start: ready', value: laterStart.ready_ms, unit: 'ms' },
        { name: 'later start: peak RSS', value: laterStart.peak_rss_mb, unit: 'MB' },
        { name: 'reference: initdb + migrations in process', value: initdb.ms, unit: 'ms' },
        { name: 'reference: initdb in process, peak RSS', value: initdb.peakRssMb, unit: 'MB' },
      ],
      {
        config: { load_seconds: LOAD_SECONDS, connections: 16, samples_per_request: 1000 },
        first_start: firstStart,
        under_load: underLoad,
        later_start: laterStart,
        initdb_in_process: initdb,
      },
    );
    if (underLoad.non_2xx) process.exitCode = 1;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
