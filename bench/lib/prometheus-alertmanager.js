// The reference for push → page latency: Debian's Prometheus scraping a target in this process
// and evaluating a `for: 0s` alert, Debian's Alertmanager with group_wait 0s sending a webhook
// to a receiver here. Each trial raises a fresh series (its own alert group) and times until
// its webhook arrives.
const { spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { freeLoopbackPort } = require('../../core/dist/testing');

const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })),
  );
}

function start(binary, args, name) {
  const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
  proc.once('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${name} exited with ${code}: ${log}`);
  });
  return {
    proc,
    log: () => log,
    stop: () =>
      new Promise((r) => {
        if (proc.exitCode !== null) return r();
        proc.once('exit', r);
        proc.kill('SIGTERM');
      }),
  };
}

async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Measures `trials` raise → webhook latencies with Prometheus scraping and evaluating every
 * `interval` (e.g. '1s') and Alertmanager at group_wait 0s. Resolves {p50, p95, trials, ms[]}.
 */
async function measurePrometheusAlertmanager({ interval = '1s', trials = 20 } = {}) {
  for (const bin of [PROMETHEUS, ALERTMANAGER])
    if (!fs.existsSync(bin))
      throw new Error(`${bin} is missing (Debian packages prometheus, prometheus-alertmanager)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-prom-am-'));
  let raised = null; // {trial, at}
  const arrivals = new Map();
  const target = await listen((req, res) => {
    const lines = ['# TYPE bench_value gauge'];
    if (raised) lines.push(`bench_value{trial="${raised.trial}"} 1`);
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(lines.join('\n') + '\n');
  });
  const hook = await listen((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const at = performance.now();
      try {
        for (const a of JSON.parse(body).alerts ?? [])
          if (a.status === 'firing' && !arrivals.has(a.labels.trial)) arrivals.set(a.labels.trial, at);
      } catch {
        // not ours
      }
      res.end('ok');
    });
  });
  const amPort = await freeLoopbackPort();
  const promPort = await freeLoopbackPort();
  fs.writeFileSync(
    path.join(dir, 'alertmanager.yml'),
    `route:
  receiver: bench
  group_by: [trial]
  group_wait: 0s
  group_interval: ${interval}
  repeat_interval: 1h
receivers:
  - name: bench
    webhook_configs:
      - url: http://127.0.0.1:${hook.port}/
        send_resolved: false
`,
  );
  fs.writeFileSync(
    path.join(dir, 'rules.yml'),
    `groups:
  - name: bench
    rules:
      - alert: BenchRaised
        expr: bench_value > 0.5
        for: 0s
`,
  );
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:
  scrape_interval: ${interval}
  scrape_timeout: ${interval}
  evaluation_interval: ${interval}
rule_files: [${path.join(dir, 'rules.yml')}]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['127.0.0.1:${amPort}']
scrape_configs:
  - job_name: bench
    static_configs:
      - targets: ['127.0.0.1:${target.port}']
`,
  );
  const am = start(
    ALERTMANAGER,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    'alertmanager',
  );
  const prom = start(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--log.level=warn',
    ],
    'prometheus',
  );
  try {
    const ready = (port, p) => async () => (await fetch(`http://127.0.0.1:${port}${p}`)).ok;
    await waitFor(ready(amPort, '/-/ready'), 30_000, 'alertmanager');
    await waitFor(ready(promPort, '/-/ready'), 30_000, 'prometheus');
    // Warm-up: one alert through the whole path before timing.
    const ms = [];
    for (let trial = -1; trial < trials; trial++) {
      raised = { trial: String(trial), at: performance.now() };
      await waitFor(async () => arrivals.has(String(trial)), 60_000, `webhook of trial ${trial}`);
      if (trial >= 0) ms.push(arrivals.get(String(trial)) - raised.at);
      raised = null;
      // Let the alert resolve, and start the next trial at a random phase of the intervals.
      await new Promise((r) => setTimeout(r, 1_500 + Math.random() * 1_000));
    }
    const sorted = [...ms].sort((a, b) => a - b);
    const pct = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))];
    return { p50: pct(0.5), p95: pct(0.95), trials, interval, ms };
  } finally {
    await prom.stop();
    await am.stop();
    target.server.close();
    hook.server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { measurePrometheusAlertmanager };
