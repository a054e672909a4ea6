// Starts a throw-away PostgreSQL cluster (initdb into a temp dir, a free port, its own socket
// directory) for tests and benchmarks, and removes it again.
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { postgresBinDir } = require('./system-packages');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitReady(bin, port, socketDir, asUser, proc) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`postgres exited with code ${proc.exitCode}`);
    try {
      run(asUser, `${bin}/pg_isready`, ['-q', '-h', '127.0.0.1', '-p', String(port)]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('postgres did not become ready in 30 s');
}

function run(asUser, cmd, args, opts = {}) {
  if (asUser) return execFileSync('runuser', ['-u', asUser, '--', cmd, ...args], { stdio: 'pipe', ...opts });
  return execFileSync(cmd, args, { stdio: 'pipe', ...opts });
}

/**
 * Starts a cluster and returns {url, port, dir, stop()}. `preload` lists libraries for
 * shared_preload_libraries (['timescaledb'] for a TimescaleDB server).
 * initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
 */
async function startEphemeralPostgres({ fsync = true, preload = [] } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found (apt-get install postgresql)');
  const asUser = process.getuid && process.getuid() === 0 ? 'postgres' : null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-pg-'));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'sock');
  fs.mkdirSync(socketDir);
  if (asUser) execFileSync('chown', ['-R', `${asUser}:${asUser}`, dir]);
  fs.chmodSync(dir, 0o755);
  run(asUser, `${bin}/initdb`, [
    '-D',
    dataDir,
    '-U',
    'aihub',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
  ]);
  const port = await freePort();
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-k',
    socketDir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `fsync=${fsync ? 'on' : 'off'}`,
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
    ...(preload.length ? ['-c', `shared_preload_libraries=${preload.join(',')}`] : []),
    ...(preload.includes('timescaledb') ? ['-c', 'timescaledb.telemetry_level=off'] : []),
  ];
  const cmd = asUser ? 'runuser' : `${bin}/postgres`;
  const cmdArgs = asUser ? ['-u', asUser, '--', `${bin}/postgres`, ...args] : args;
  // The server logs to a file: a pipe would keep the test runner's event loop alive.
  const logFile = path.join(dir, 'postgres.log');
  const logFd = fs.openSync(logFile, 'a');
  if (asUser) execFileSync('chown', [`${asUser}:${asUser}`, logFile]);
  const proc = spawn(cmd, cmdArgs, { stdio: ['ignore', 'ignore', logFd] });
  fs.closeSync(logFd);
  proc.unref();
  const pgCtlStop = () => {
    try {
      run(asUser, `${bin}/pg_ctl`, ['-D', dataDir, '-m', 'fast', '-w', '-t', '20', 'stop']);
    } catch {
      /* already stopped */
    }
  };
  try {
    await waitReady(bin, port, socketDir, asUser, proc);
  } catch (err) {
    pgCtlStop();
    throw new Error(`${err.message}\n${fs.readFileSync(logFile, 'utf8').slice(-4000)}`);
  }
  run(asUser, `${bin}/createdb`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'aihub', 'aihub']);
  const url = `postgres://aihub@127.0.0.1:${port}/aihub`;
  return {
    url,
    port,
    dir,
    pid: proc.pid,
    async stop() {
      // runuser does not forward signals, so stop the server through pg_ctl.
      pgCtlStop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startEphemeralPostgres, freePort };
