// Evaluation at scale (issue 11): the `npm start` setup (scripts/start.js: collector + alerting
// in one process, shipped default rules) with 1k / 15k / 100k hosts reporting
// system_cpu_usage_percent every 15 s, on PGlite and on PostgreSQL (BENCH_DATABASE_URL).
// Measured per configuration, over BENCH_EVAL_SECONDS (default 60):
//   - evaluation cycle time (aihub_evaluation_cycle_duration_seconds, read from alerting /metrics)
//   - collector /health p99 (one request every 50 ms, 5 s timeout counted as 5,000 ms)
//   - push p99 (each round pushes every host, BENCH_EVAL_ITEMS_PER_PUSH (1,000) hosts per request,
//     as agents or relays batching a fleet would; a push that takes over 30 s counts as 30 s)
//   - SIGTERM → exit time (killed after 20 s)
// BENCH_EVAL_BASELINE=<dir of a built checkout> measures that checkout's scripts/start.js the
// same way (the pre-change baseline); BENCH_EVAL_SIZES=1000,15000 narrows the sizes.
// Writes bench/results/evaluation.json.
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { writeResults } = require('./lib/results');
const { freshDatabaseUrl } = require('./lib/databases');
const { SERVICE_NODE_FLAGS } = require('../scripts/lib/service-node-flags');

const ROOT = path.join(__dirname, '..');
const SECONDS = Number(process.env.BENCH_EVAL_SECONDS ?? 60);
const SIZES = (process.env.BENCH_EVAL_SIZES ?? '1000,15000,100000').split(',').map(Number);
const ITEMS_PER_PUSH = Number(process.env.BENCH_EVAL_ITEMS_PER_PUSH ?? 1_000);
const PUSH_TIMEOUT_MS = 30_000;
const REPORT_EVERY_MS = 15_000;
const HEALTH_EVERY_MS = 50;
const TIMEOUT_MS = 5_000;
const KILL_AFTER_MS = 20_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, q) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))];
};

function startSuite(root, storage) {
  const env = {
    ...process.env,
    COLLECTOR_PORT: '0',
    ALERTING_PORT: '0',
    LOG_LEVEL: 'warn',
    SELF_METRICS_INTERVAL: '0',
    AIHUB_TOKENS: 'bench-token',
    DATA_DIR: storage.dataDir ?? os.tmpdir(),
    DATABASE_URL: storage.databaseUrl ?? '',
  };
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, path.join(root, 'scripts', 'start.js')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
  proc.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
  const ready = new Promise((resolve, reject) => {
    proc.stdout.on('data', () => {
      if (!out.includes('Ctrl-C flushes and stops')) return;
      resolve({
        collector: /collector\s+(http:\/\/\S+)/.exec(out)[1],
        alerting: /alerting\s+(http:\/\/\S+)/.exec(out)[1],
      });
    });
    proc.once('exit', (code) => reject(new Error(`start.js exited with ${code}:\n${out}`)));
  });
  return { proc, ready, output: () => out };
}

async function timed(url, init = {}, timeoutMs = TIMEOUT_MS) {
  const t0 = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  } catch {
    return { ms: timeoutMs, status: 0 };
  }
}

async function cycleSeconds(alertingUrl) {
  try {
    const res = await fetch(`${alertingUrl}/metrics`, {
      headers: { authorization: 'Bearer bench-token' },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const m = /^aihub_evaluation_cycle_duration_seconds(?:\{[^}]*\})? (\S+)$/m.exec(await res.text());
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function measure(root, driver, hosts, label) {
  const name = `bench_eval_${hosts}`;
  const storage =
    driver === 'postgres'
      ? { databaseUrl: await freshDatabaseUrl(process.env.BENCH_DATABASE_URL, name) }
      : { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)) };
  const suite = startSuite(root, storage);
  const urls = await suite.ready;
  const auth = { authorization: 'Bearer bench-token' };
  const health = [];
  const pushes = [];
  const cycles = new Set();
  let pushStatus = {};
  let running = true;

  const healthLoop = (async () => {
    while (running) {
      health.push((await timed(`${urls.collector}/health`)).ms);
      await sleep(HEALTH_EVERY_MS);
    }
  })();
  const pushLoop = (async () => {
    for (let round = 0; running; round++) {
      const t0 = performance.now();
      for (let i = 0; i < hosts && running; i += ITEMS_PER_PUSH) {
        const system = [];
        for (let h = i; h < Math.min(hosts, i + ITEMS_PER_PUSH); h++)
          system.push({ host: `host_${h}`, cpu_usage_percent: 5 + ((h * 7 + round * 3) % 40) });
        const r = await timed(
          `${urls.collector}/v1/push`,
          {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ system }),
          },
          PUSH_TIMEOUT_MS,
        );
        pushes.push(r.ms);
        pushStatus[r.status] = (pushStatus[r.status] ?? 0) + 1;
      }
      await sleep(Math.max(0, REPORT_EVERY_MS - (performance.now() - t0)));
    }
  })();
  const cycleLoop = (async () => {
    while (running) {
      await sleep(2_000);
      const c = await cycleSeconds(urls.alerting);
      if (c !== null) cycles.add(c);
    }
  })();

  await sleep(SECONDS * 1000);
  running = false;
  await Promise.all([healthLoop, pushLoop, cycleLoop]);

  const t0 = performance.now();
  const exited = new Promise((r) => suite.proc.once('exit', (code, signal) => r({ code, signal })));
  suite.proc.kill('SIGTERM');
  const killer = setTimeout(() => suite.proc.kill('SIGKILL'), KILL_AFTER_MS);
  const exit = await exited;
  clearTimeout(killer);
  const stopMs = performance.now() - t0;
  if (storage.dataDir) fs.rmSync(storage.dataDir, { recursive: true, force: true });

  const cycleMs = [...cycles].map((s) => s * 1000);
  const r = {
    code: label,
    driver,
    hosts,
    seconds: SECONDS,
    cycle_ms_median: cycleMs.length ? Math.round(pct(cycleMs, 0.5)) : null,
    cycle_ms_max: cycleMs.length ? Math.round(Math.max(...cycleMs)) : null,
    cycles_seen: cycleMs.length,
    health_requests: health.length,
    health_p50_ms: Math.round(pct(health, 0.5)),
    health_p99_ms: Math.round(pct(health, 0.99)),
    health_max_ms: Math.round(Math.max(...health)),
    health_timeouts: health.filter((ms) => ms >= TIMEOUT_MS).length,
    items_per_push: ITEMS_PER_PUSH,
    pushes: pushes.length,
    push_status: pushStatus,
    push_p99_ms: pushes.length ? Math.round(pct(pushes, 0.99)) : null,
    sigterm_exit_ms: Math.round(stopMs),
    sigterm_clean: exit.signal === null && exit.code === 0,
  };
  console.log(JSON.stringify(r));
  return r;
}

async function main() {
  const drivers = process.env.BENCH_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
  const runs = [];
  for (const driver of drivers)
    for (const hosts of SIZES) runs.push(await measure(ROOT, driver, hosts, 'this change'));
  const baselineRoot = process.env.BENCH_EVAL_BASELINE;
  if (baselineRoot)
    for (const hosts of SIZES.filter((n) => n <= 15_000))
      runs.push(await measure(path.resolve(baselineRoot), 'pglite', hosts, 'baseline'));

  const results = [];
  for (const r of runs) {
    const tag = `${r.hosts / 1000}k hosts, ${r.driver}${r.code === 'baseline' ? ', baseline' : ''}`;
    results.push(
      { name: `evaluation cycle (${tag})`, value: r.cycle_ms_median, unit: 'ms' },
      {
        name: `collector /health p99 (${tag})`,
        value: r.health_p99_ms,
        unit: 'ms',
        target: r.hosts === 15_000 && r.driver === 'pglite' ? '< 100' : '',
      },
      {
        name: `push p99 (${tag})`,
        value: r.push_p99_ms,
        unit: 'ms',
        target: r.hosts === 15_000 && r.driver === 'pglite' ? '< 500' : '',
      },
      {
        name: `SIGTERM → exit (${tag})`,
        value: r.sigterm_exit_ms,
        unit: 'ms',
        target: r.hosts === 15_000 && r.driver === 'pglite' ? '< 10000' : '',
      },
    );
  }
  writeResults('evaluation', results, { runs });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
