import fs from 'fs';
import os from 'os';

export interface HostSnapshot {
  host: string;
  ts: number;
  cpu_usage_percent?: number;
  memory_usage_percent: number;
  disk_usage_percent?: number;
  load_avg_1m: number;
  network_rx_bytes?: number;
  network_tx_bytes?: number;
}

interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(): CpuTimes {
  let idle = 0;
  let total = 0;
  for (const c of os.cpus()) {
    const t = c.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** MemAvailable-based usage (what `free` calls available), falling back to os.freemem. */
function memoryUsagePercent(): number {
  try {
    const info = fs.readFileSync('/proc/meminfo', 'utf8');
    const total = Number(/MemTotal:\s+(\d+)/.exec(info)?.[1]);
    const available = Number(/MemAvailable:\s+(\d+)/.exec(info)?.[1]);
    if (total > 0 && available >= 0) return (100 * (total - available)) / total;
  } catch {
    /* not Linux */
  }
  return (100 * (os.totalmem() - os.freemem())) / os.totalmem();
}

function diskUsagePercent(dir: string): number | undefined {
  try {
    const s = fs.statfsSync(dir);
    const total = s.blocks * s.bsize;
    const free = s.bavail * s.bsize;
    return total > 0 ? (100 * (total - free)) / total : undefined;
  } catch {
    return undefined;
  }
}

/** Cumulative bytes received/sent on every interface but loopback. */
function networkBytes(): { rx: number; tx: number } | undefined {
  try {
    const lines = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2);
    let rx = 0;
    let tx = 0;
    for (const line of lines) {
      const [iface, rest] = line.split(':');
      if (!rest || iface.trim() === 'lo') continue;
      const f = rest.trim().split(/\s+/).map(Number);
      rx += f[0];
      tx += f[8];
    }
    return { rx, tx };
  } catch {
    return undefined;
  }
}

/** Samples the collector's own host; CPU usage is measured between two calls. */
export class HostSampler {
  private last = cpuTimes();

  constructor(
    private readonly diskPath: string,
    private readonly host = os.hostname(),
  ) {}

  sample(now = Date.now()): HostSnapshot {
    const cur = cpuTimes();
    const dTotal = cur.total - this.last.total;
    const dIdle = cur.idle - this.last.idle;
    this.last = cur;
    const net = networkBytes();
    const cpu = dTotal > 0 ? Math.min(100, Math.max(0, (100 * (dTotal - dIdle)) / dTotal)) : undefined;
    const disk = diskUsagePercent(this.diskPath);
    return {
      host: this.host,
      ts: now,
      ...(cpu === undefined ? {} : { cpu_usage_percent: cpu }),
      memory_usage_percent: Math.min(100, memoryUsagePercent()),
      ...(disk === undefined ? {} : { disk_usage_percent: disk }),
      load_avg_1m: os.loadavg()[0],
      ...(net ? { network_rx_bytes: net.rx, network_tx_bytes: net.tx } : {}),
    };
  }
}
