// Runs a built service as a child process and reads its memory from /proc.
const { spawn } = require('child_process');
const fs = require('fs');
const { SERVICE_NODE_FLAGS } = require('../../scripts/lib/service-node-flags');

/** Starts `node main` with the flags the services run with (scripts/lib/service-node-flags.js); `ready` resolves with the first group of readyPattern in its stdout. */
function startService(main, env, readyPattern = /listening on (http:\/\/\S+)/) {
  const proc = spawn(process.execPath, [...SERVICE_NODE_FLAGS, main], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr.on('data', (d) => (err = (err + d).slice(-8000)));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = readyPattern.exec(out);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`service exited with ${code}: ${err}`)));
  });
  return {
    proc,
    ready,
    stderr: () => err,
    /** Current and peak resident set size in MB. */
    memory() {
      const status = fs.readFileSync(`/proc/${proc.pid}/status`, 'utf8');
      const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
    },
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

module.exports = { startService };
