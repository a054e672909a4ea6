#!/usr/bin/env node
// `npm run demo`: pushes a synthetic AI-Hub workload into a running collector with
// @aihub/client — six models over three providers with a daily pattern, an error spike and
// a latency regression, three training runs (healthy, overfitting, exploding gradients),
// three hosts with a CPU anomaly, API usage and sessions. See scripts/lib/demo-scenario.js.
//
//   npm run demo                      1 h of history, then live until Ctrl-C
//   npm run demo -- --fast            1 h of history ending now, as fast as possible, then exit
//   npm run demo -- --backfill 24 --duration 10m --speed 10
//
// COLLECTOR_URL (default http://127.0.0.1:4880) and AIHUB_TOKEN say where to push;
// ALERTING_URL (default http://127.0.0.1:4881) is where the demo's two budgets are created.
const path = require('path');
const { createScenario } = require('./lib/demo-scenario');
const { defineDemoBudgets } = require('./lib/demo-budgets');

const USAGE = `usage: npm run demo -- [options]
  --fast              push 1 h of history ending now as quickly as possible, then exit
  --backfill HOURS    history to push first, ending now (default 1; 0 for none)
  --duration D        how long to run live after the backfill: 30s, 10m, 2h (default: until Ctrl-C; --fast: 0)
  --speed N           live story speed: training epochs and incidents advance N times faster (default 1)
  --url URL           collector URL (default COLLECTOR_URL or http://127.0.0.1:4880)
  --token TOKEN       bearer token (default AIHUB_TOKEN)
  --seed N            random seed (default 42)
  --quiet             no progress line`;

function parseArgs(argv) {
  const o = {
    fast: false,
    backfillHours: undefined,
    durationMs: undefined,
    speed: 1,
    url: undefined,
    token: undefined,
    seed: 42,
    quiet: false,
  };
  const value = (i, name) => {
    if (i + 1 >= argv.length) fail(`${name} needs a value`);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--fast') o.fast = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a === '--backfill') o.backfillHours = positive(value(i++, a), a, true);
    else if (a === '--duration') o.durationMs = duration(value(i++, a));
    else if (a === '--speed') o.speed = positive(value(i++, a), a);
    else if (a === '--url') o.url = value(i++, a);
    else if (a === '--token') o.token = value(i++, a);
    else if (a === '--seed') o.seed = positive(value(i++, a), a, true);
    else fail(`unknown option ${a}`);
  }
  o.backfillHours ??= 1;
  o.durationMs ??= o.fast ? 0 : Infinity;
  return o;
}

function positive(text, name, zeroOk = false) {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (!zeroOk && n === 0))
    fail(`${name} must be a ${zeroOk ? 'non-negative' : 'positive'} number`);
  return n;
}

function duration(text) {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!m) fail(`--duration must look like 30s, 10m or 2h`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]];
}

function fail(message) {
  console.error(`demo: ${message}\n${USAGE}`);
  process.exit(2);
}

function loadClient() {
  try {
    return require(path.join(__dirname, '..', 'client', 'dist'));
  } catch {
    console.error('demo: client/dist is missing; run `npm run build` first (npm run demo does)');
    process.exit(1);
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { PushClient } = loadClient();
  const url = (opts.url ?? process.env.COLLECTOR_URL ?? 'http://127.0.0.1:4880').replace(/\/+$/, '');
  const token = opts.token ?? process.env.AIHUB_TOKEN;
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`status ${res.status}`);
  } catch (err) {
    console.error(
      `demo: no collector at ${url} (${err.message}). Start one with \`npm start\` or set COLLECTOR_URL.`,
    );
    process.exit(1);
  }
  const alertingUrl = (process.env.ALERTING_URL ?? 'http://127.0.0.1:4881').replace(/\/+$/, '');
  for (const line of await defineDemoBudgets(alertingUrl, token))
    if (!opts.quiet) console.log(`demo budget ${line}`);
  const errors = [];
  const push = new PushClient({
    url,
    token,
    maxBatchItems: 2000,
    maxBufferedItems: 200_000,
    flushIntervalMs: 500,
    onError: (e) => errors.push(e),
  });
  const anchor = Date.now();
  const backfillMs = opts.backfillHours * 3600000;
  let liveStart = anchor;
  // Backfill: story minutes equal real minutes. Live: the story runs `speed` times faster.
  const story = (t) =>
    t <= liveStart
      ? (t - anchor) / 60000
      : (liveStart - anchor) / 60000 + ((t - liveStart) / 60000) * opts.speed;
  const real = (m) =>
    m <= (liveStart - anchor) / 60000
      ? anchor + m * 60000
      : liveStart + ((m - (liveStart - anchor) / 60000) * 60000) / opts.speed;
  const scenario = createScenario({
    seed: opts.seed,
    runsStartAt: -Math.min(60, opts.backfillHours * 60),
    story,
    real,
  });

  let items = 0;
  const started = Date.now();
  const progress = (label) => {
    if (opts.quiet) return;
    const s = push.stats();
    const line = `demo ${label} · ${s.sent.toLocaleString('en')} items stored · ${s.buffered.toLocaleString('en')} queued · ${s.dropped} dropped · ${s.failed} failed`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(110)}`);
    else console.log(line);
  };
  const enqueue = (w) => {
    push.push(w);
    items += w.llm.length + w.system.length + w.business.length + w.training.length;
  };

  let stopRequested = false;
  process.on('SIGINT', () => {
    if (stopRequested) process.exit(130);
    stopRequested = true;
  });

  // 1. History, minute by minute, ending at launch time.
  const STEP = 60000;
  const totalMinutes = Math.round(backfillMs / STEP);
  let lastPrint = 0;
  for (let i = 0; i < totalMinutes && !stopRequested; i++) {
    const from = anchor - backfillMs + i * STEP;
    enqueue(scenario.window(from, from + STEP));
    if (push.stats().buffered > 20000) await push.flush();
    if (Date.now() - lastPrint > 250 || !process.stdout.isTTY) {
      if (process.stdout.isTTY || i % 30 === 0) progress(`backfill ${i + 1}/${totalMinutes} min`);
      lastPrint = Date.now();
    }
  }
  await push.flush();
  if (totalMinutes > 0)
    progress(
      `backfill ${totalMinutes}/${totalMinutes} min done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

  // 2. Live: every second, what happened in that second, with current timestamps.
  liveStart = Math.max(anchor, Date.now() - 1);
  const liveUntil = liveStart + opts.durationMs;
  let cursor = anchor; // the backfill ended at the anchor: continue from there without gap or overlap
  while (!stopRequested && Date.now() < liveUntil) {
    await new Promise((r) => setTimeout(r, Math.min(1000, liveUntil - Date.now())));
    const now = Math.min(Date.now(), liveUntil);
    if (now <= cursor) continue;
    enqueue(scenario.window(cursor, now));
    cursor = now;
    const m = story(now);
    const inc = scenario.incidents(m);
    const active =
      Object.entries(inc)
        .filter(([, on]) => on)
        .map(([k]) => k)
        .join(', ') || 'none';
    progress(
      `live ${((now - liveStart) / 1000).toFixed(0)} s · story minute ${m.toFixed(1)} · incidents: ${active}`,
    );
  }
  await push.close();
  if (!opts.quiet && process.stdout.isTTY) process.stdout.write('\n');
  const s = push.stats();
  console.log(
    `demo: ${s.sent} of ${items} items stored in ${((Date.now() - started) / 1000).toFixed(1)} s (${s.dropped} dropped, ${s.failed} failed) at ${url}`,
  );
  if (errors.length) {
    console.error(
      `demo: ${errors.length} batches failed; first: ${errors[0].message} ${JSON.stringify(errors[0].body ?? '').slice(0, 500)}`,
    );
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`demo failed: ${err?.stack ?? err}`);
  process.exit(1);
});
