// Makes the timescaledb extension available to the local PostgreSQL server: no Debian package
// exists, so it is built from the source tarball named by TIMESCALEDB_SOURCE (once per machine:
// an installed extension is detected and reused) and installed into `pg_config --pkglibdir`.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ensure, postgresBinDir } = require('./system-packages');

// A relative TIMESCALEDB_SOURCE is relative to the repository (CI: a clone beside shared/).
const REPO_ROOT = path.resolve(__dirname, '..', '..');

function buildRequirements() {
  const major = path.basename(path.dirname(postgresBinDir() ?? '/usr/lib/postgresql/15/bin'));
  return [
    { name: 'cmake', packages: ['cmake'], present: () => fs.existsSync('/usr/bin/cmake') },
    { name: 'a C compiler', packages: ['gcc', 'make'], present: () => fs.existsSync('/usr/bin/cc') },
    {
      name: `postgresql-server-dev-${major}`,
      packages: [`postgresql-server-dev-${major}`],
      // The server headers, not pgxs.mk: postgresql-client ships pgxs.mk without them.
      present: () => {
        const include = pgConfig('--includedir-server');
        return include !== null && fs.existsSync(path.join(include, 'postgres.h'));
      },
    },
  ];
}

function pgConfig(flag) {
  try {
    return execFileSync('pg_config', [flag], { stdio: 'pipe' }).toString().trim();
  } catch {
    return null;
  }
}

/** The installed extension's version, or null when the server cannot load it. */
function installedVersion() {
  const lib = pgConfig('--pkglibdir');
  const share = pgConfig('--sharedir');
  if (!lib || !share) return null;
  const control = path.join(share, 'extension', 'timescaledb.control');
  if (!fs.existsSync(path.join(lib, 'timescaledb.so')) || !fs.existsSync(control)) return null;
  const m = /default_version\s*=\s*'([^']+)'/.exec(fs.readFileSync(control, 'utf8'));
  return m ? m[1] : null;
}

/** 'timescaledb-2.28.3.tar.gz' → '2.28.3' */
function tarballVersion(tarball) {
  const m = /timescaledb-(\d+\.\d+\.\d+)/.exec(path.basename(tarball));
  return m ? m[1] : null;
}

/** Holds an exclusive lock file while fn runs, so two test runs never build at once. */
async function withLock(file, fn) {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (!holder || !isAlive(holder)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} (held by ${holder})`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** The tarball's top directory (GitHub archives have one; release tarballs may not). */
function sourceRoot(dir) {
  if (fs.existsSync(path.join(dir, 'CMakeLists.txt'))) return dir;
  const subdirs = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'CMakeLists.txt')));
  if (subdirs.length !== 1) throw new Error('no CMakeLists.txt at the top of the TimescaleDB tarball');
  return path.join(dir, subdirs[0]);
}

function build(tarball, log) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-timescaledb-build-'));
  const logFile = path.join(work, 'build.log');
  const fd = fs.openSync(logFile, 'a');
  const step = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', fd, fd] });
  try {
    step('tar', ['xzf', path.resolve(tarball), '-C', work], work);
    const src = sourceRoot(work);
    step(
      'cmake',
      [
        '-S',
        '.',
        '-B',
        'build',
        '-DREGRESS_CHECKS=OFF',
        '-DTAP_CHECKS=OFF',
        '-DWARNINGS_AS_ERRORS=OFF',
        '-DGENERATE_DOWNGRADE_SCRIPT=OFF',
        '-DLINTER=OFF',
        '-DCMAKE_BUILD_TYPE=Release',
      ],
      src,
    );
    step('make', ['-C', 'build', `-j${Math.max(1, os.cpus().length)}`], src);
    step('make', ['-C', 'build', 'install'], src);
    fs.rmSync(work, { recursive: true, force: true });
  } catch (err) {
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-4000) : '';
    throw new Error(`building TimescaleDB from ${tarball} failed: ${err.message}\n${tail}`);
  } finally {
    fs.closeSync(fd);
  }
  log(`[setup] TimescaleDB installed into ${pgConfig('--pkglibdir')}`);
}

/**
 * Makes sure the extension is installed. Returns {ok: true, version} or {ok: false, reason}
 * (no source given, not root); a failed build throws.
 */
async function ensureTimescaleInstalled({ source = process.env.TIMESCALEDB_SOURCE, log = console.log } = {}) {
  if (source) source = path.resolve(REPO_ROOT, source);
  const have = installedVersion();
  const want = source ? tarballVersion(source) : null;
  if (have && (!want || have === want)) return { ok: true, version: have };
  if (!source) {
    return {
      ok: false,
      reason:
        'the timescaledb extension is not installed and TIMESCALEDB_SOURCE (a timescaledb-X.Y.Z.tar.gz) is not set',
    };
  }
  if (!fs.existsSync(source)) return { ok: false, reason: `TIMESCALEDB_SOURCE ${source} does not exist` };
  if (process.getuid && process.getuid() !== 0) {
    return { ok: false, reason: 'installing the timescaledb extension needs root' };
  }
  ensure(buildRequirements());
  await withLock(path.join(os.tmpdir(), 'aihub-timescaledb-build.lock'), async () => {
    const now = installedVersion(); // another run may have built it while we waited
    if (now && (!want || now === want)) return;
    log(`[setup] building TimescaleDB ${want ?? ''} from ${source} (once per machine, a few minutes)`);
    build(source, log);
  });
  const version = installedVersion();
  if (!version) throw new Error('TimescaleDB was built but pg_config does not show it installed');
  return { ok: true, version };
}

/**
 * The TimescaleDB server for a test run: the extension made available, then a cluster started
 * with it preloaded. Without it: under CI=true an error, else null and a warning saying clearly
 * that the TimescaleDB suites do not run, and why.
 */
async function timescaleForTests({
  env = process.env,
  ensureInstalled = ensureTimescaleInstalled,
  start,
  warn = console.warn,
}) {
  const installed = await ensureInstalled({ source: env.TIMESCALEDB_SOURCE });
  if (installed.ok) return start({ preload: ['timescaledb'] });
  if (env.CI === 'true') throw new Error(`CI=true and TimescaleDB is not available: ${installed.reason}`);
  warn(
    `\n[setup] The TimescaleDB suites did NOT run: ${installed.reason}.\n` +
      '        Set TIMESCALEDB_SOURCE=../shared/vendor/timescaledb-2.28.3.tar.gz (as .ci/run does) to build it once.\n',
  );
  return null;
}

module.exports = { ensureTimescaleInstalled, installedVersion, timescaleForTests };
