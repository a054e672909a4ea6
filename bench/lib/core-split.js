// Splits the machine's cores between a PostgreSQL server and this process (with the children
// it starts afterwards, the collector among them), as when the database has a host of its own:
// on 2 cores a shared run measures how the two share the CPU, a split one how much of the
// storage's capacity the ingest path delivers. Linux only (taskset, /proc).
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const { Client } = require('pg');

/** The postmaster and its children (backends fork from it later and inherit its affinity). */
async function serverPids(databaseUrl) {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const r = await c.query("SELECT setting FROM pg_settings WHERE name = 'data_directory'");
  await c.end();
  const postmaster = Number(fs.readFileSync(`${r.rows[0].setting}/postmaster.pid`, 'utf8').split('\n')[0]);
  const pids = [postmaster];
  for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const ppid = Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      if (ppid === postmaster) pids.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

const pin = (pid, cpus) =>
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });

/**
 * Gives the server at databaseUrl the upper half of the cores and this process the lower half;
 * resolves a function that gives everything all cores again. Null when there is one core.
 */
async function splitCores(databaseUrl) {
  const n = os.cpus().length;
  if (n < 2) return null;
  const half = Math.floor(n / 2);
  const ours = `0-${half - 1}`;
  const theirs = `${half}-${n - 1}`;
  const all = `0-${n - 1}`;
  const server = await serverPids(databaseUrl);
  for (const p of server) pin(p, theirs);
  pin(process.pid, ours);
  return {
    ours,
    theirs,
    restore: async () => {
      for (const p of await serverPids(databaseUrl)) pin(p, all);
      pin(process.pid, all);
    },
  };
}

module.exports = { splitCores };
