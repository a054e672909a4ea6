// Installs Debian packages the test suite needs when they are missing (root only),
// so a fresh machine runs `npm test` with nothing set up by hand.
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');

let aptUpdated = false;

function aptInstall(packages) {
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(`missing system packages ${packages.join(', ')}: install them with apt-get (needs root)`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
}

/** Makes sure each probe passes, installing its Debian package when it does not. */
function ensure(requirements) {
  const missing = requirements.filter((r) => !r.present());
  if (missing.length === 0) return;
  const list = [...new Set(missing.flatMap((r) => r.packages))];
  console.log(`[setup] installing ${list.join(' ')}`);
  aptInstall(list);
  const still = missing.filter((r) => !r.present());
  if (still.length)
    throw new Error(`still missing after apt-get install: ${still.map((r) => r.name).join(', ')}`);
}

const exists = (p) => fs.existsSync(p);

function postgresBinDir() {
  const root = '/usr/lib/postgresql';
  if (!exists(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => exists(`${root}/${v}/bin/initdb`) && exists(`${root}/${v}/bin/postgres`))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? `${root}/${versions[0]}/bin` : null;
}

const requirements = {
  postgres: { name: 'postgresql', packages: ['postgresql'], present: () => postgresBinDir() !== null },
  prometheus: {
    name: 'prometheus',
    packages: ['prometheus'],
    present: () => exists('/usr/bin/prometheus') && exists('/usr/bin/promtool'),
  },
  nodeExporter: {
    name: 'prometheus-node-exporter',
    packages: ['prometheus-node-exporter'],
    present: () => exists('/usr/bin/prometheus-node-exporter'),
  },
  chromium: { name: 'chromium', packages: ['chromium'], present: () => exists('/usr/bin/chromium') },
  sklearn: {
    name: 'python3-sklearn',
    packages: ['python3-sklearn'],
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0,
  },
};

/** Only the benchmarks need it (the reference for push → page latency); npm test does not. */
const alertmanager = {
  name: 'prometheus-alertmanager',
  packages: ['prometheus-alertmanager'],
  present: () => exists('/usr/bin/prometheus-alertmanager'),
};

/** Only the benchmarks need it: the ingest bench's load generator (bench/lib/wrk-load.js). */
const wrk = { name: 'wrk', packages: ['wrk'], present: () => exists('/usr/bin/wrk') };

module.exports = { ensure, requirements, alertmanager, wrk, postgresBinDir };
