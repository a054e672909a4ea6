import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { freeLoopbackPort } from '@aihub/core/testing';

/** A real binary (Debian package; the jest global setup installs it) on a loopback port. */
export interface ExporterProcess {
  url: string;
  /** host:port, as Prometheus labels it `instance`. */
  address: string;
  stop(): Promise<void>;
}

export interface PrometheusProcess extends ExporterProcess {
  /** GET /api/v1/<endpoint>; returns `data`, throws on a non-success answer. */
  api<T>(endpoint: string, params: Record<string, string>): Promise<T>;
}

function spawnLogged(binary: string, args: string[]): { proc: ChildProcess; log: () => string } {
  const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  return { proc, log: () => log };
}

async function waitReady(proc: ChildProcess, url: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${url}: exited with ${proc.exitCode}\n${log()}`);
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${url} not ready after 30 s\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopper(proc: ChildProcess, dir?: string): () => Promise<void> {
  return async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      await new Promise((resolve) => {
        proc.once('exit', resolve);
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
      });
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
}

/** Debian's prometheus-node-exporter as a plain process, with a few collectors (less load). */
export async function startNodeExporter(): Promise<ExporterProcess> {
  const port = await freeLoopbackPort();
  const address = `127.0.0.1:${port}`;
  const { proc, log } = spawnLogged('/usr/bin/prometheus-node-exporter', [
    `--web.listen-address=${address}`,
    '--collector.disable-defaults',
    '--collector.cpu',
    '--collector.loadavg',
    '--collector.meminfo',
    '--collector.filesystem',
    '--collector.time',
  ]);
  const url = `http://${address}`;
  await waitReady(proc, `${url}/metrics`, log);
  return { url, address, stop: stopper(proc) };
}

/**
 * Debian's Prometheus scraping `targets` every second and remote-writing everything to
 * `writeUrl` with the bearer token, retrying quickly (short backoff) so tests stay short.
 */
export async function startRemoteWritingPrometheus(opts: {
  targets: string[];
  writeUrl: string;
  token: string;
}): Promise<PrometheusProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-prom-rw-'));
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, opts.token);
  const config = `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ${JSON.stringify(opts.targets)}
remote_write:
  - url: ${JSON.stringify(opts.writeUrl)}
    authorization:
      credentials_file: ${JSON.stringify(tokenFile)}
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
`;
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), config);
  const port = await freeLoopbackPort();
  const address = `127.0.0.1:${port}`;
  const { proc, log } = spawnLogged('/usr/bin/prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=${address}`,
    '--log.level=warn',
  ]);
  const url = `http://${address}`;
  await waitReady(proc, `${url}/-/ready`, log);
  return {
    url,
    address,
    stop: stopper(proc, dir),
    async api<T>(endpoint: string, params: Record<string, string>): Promise<T> {
      const res = await fetch(`${url}/api/v1/${endpoint}?${new URLSearchParams(params)}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`${endpoint} ${JSON.stringify(params)}: ${body.error}`);
      return body.data;
    },
  };
}
