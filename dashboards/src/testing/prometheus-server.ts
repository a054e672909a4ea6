// Runs the real Prometheus binary (Debian package; the jest global setup installs it) with
// the provisioning config, re-pointed at services on loopback ports, for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { PROMETHEUS_CONFIG, PROVISIONING_DIR } from '../provisioning-files';

export interface PrometheusServer {
  url: string;
  /** GET /api/v1/<endpoint>?params; throws on a non-success answer, naming the query. */
  api<T = unknown>(endpoint: string, params: Record<string, string>): Promise<T>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** Compose service address (e.g. `collector:4880`) → loopback address (`127.0.0.1:41234`). */
  targets: Record<string, string>;
  token: string;
  scrapeInterval?: string;
  binary?: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The provisioning config with targets, token file and intervals swapped; nothing else changes. */
export function localPrometheusConfig(
  source: string,
  opts: { targets: Record<string, string>; tokenFile: string; scrapeInterval: string },
): string {
  let config = source;
  for (const [from, to] of Object.entries(opts.targets)) {
    if (!config.includes(`'${from}'`)) throw new Error(`prometheus.yml has no target '${from}'`);
    config = config.replaceAll(`'${from}'`, `'${to}'`);
  }
  if (!config.includes('/run/secrets/aihub_token'))
    throw new Error('prometheus.yml no longer reads /run/secrets/aihub_token');
  return config
    .replaceAll('/run/secrets/aihub_token', opts.tokenFile)
    .replace(/scrape_interval: \S+/, `scrape_interval: ${opts.scrapeInterval}`)
    .replace(/evaluation_interval: \S+/, `evaluation_interval: ${opts.scrapeInterval}`);
}

export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-prometheus-'));
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, opts.token);
  fs.cpSync(path.join(PROVISIONING_DIR, 'prometheus', 'rules'), path.join(dir, 'rules'), { recursive: true });
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    configFile,
    localPrometheusConfig(fs.readFileSync(PROMETHEUS_CONFIG, 'utf8'), {
      targets: opts.targets,
      tokenFile,
      scrapeInterval: opts.scrapeInterval ?? '1s',
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(
    opts.binary ?? '/usr/bin/prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));

  const deadline = Date.now() + 30000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}\n${log}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`prometheus not ready after 30 s\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    async api<T>(endpoint: string, params: Record<string, string>): Promise<T> {
      const res = await fetch(`${url}/api/v1/${endpoint}?${new URLSearchParams(params)}`);
      const text = await res.text();
      let body: { status: string; data: T; error?: string };
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${endpoint} ${JSON.stringify(params)}: HTTP ${res.status} ${text.slice(0, 200)}`);
      }
      if (body.status !== 'success') throw new Error(`${endpoint} ${JSON.stringify(params)}: ${body.error}`);
      return body.data;
    },
    async stop() {
      if (proc.exitCode === null) {
        await new Promise((resolve) => {
          proc.once('exit', resolve);
          proc.kill('SIGTERM');
          setTimeout(() => proc.kill('SIGKILL'), 10000).unref();
        });
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
