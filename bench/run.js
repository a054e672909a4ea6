// `npm run bench`: every bench/*.bench.js in turn (or those named on the command line), each
// writing bench/results/<name>.json; then one table of all figures.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { startEphemeralPostgres } = require('../scripts/lib/ephemeral-postgres');
const { ensure, requirements, alertmanager, wrk } = require('../scripts/lib/system-packages');
const { ensureTimescaleInstalled } = require('../scripts/lib/timescaledb');

async function main() {
  const only = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
  // The alerting bench's reference runs Debian's Prometheus and Alertmanager; the ingest bench's
  // load comes from Debian's wrk.
  ensure([requirements.postgres, requirements.prometheus, alertmanager, wrk]);
  // TimescaleDB (built once per machine from TIMESCALEDB_SOURCE when missing) before any server
  // starts: its build installs postgresql-server-dev, which can upgrade the server under it.
  const ts = await ensureTimescaleInstalled();
  if (!ts.ok) console.warn(`[bench] no TimescaleDB figures: ${ts.reason}`);
  const pg = await startEphemeralPostgres({ fsync: true });
  const tsdb = ts.ok ? await startEphemeralPostgres({ fsync: true, preload: ['timescaledb'] }) : null;
  let failed = 0;
  try {
    for (const f of files) {
      console.log(`\n=== ${f}`);
      const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, f)], {
        stdio: 'inherit',
        env: {
          ...process.env,
          BENCH_DATABASE_URL: pg.url,
          ...(tsdb ? { BENCH_TIMESCALEDB_URL: tsdb.url } : {}),
        },
      });
      if (r.status !== 0) {
        failed++;
        console.error(`${f} failed with exit code ${r.status}`);
      }
    }
  } finally {
    await pg.stop();
    await tsdb?.stop();
  }
  printTable(files.map((f) => f.replace(/\.bench\.js$/, '')));
  if (failed) process.exit(1);
}

function printTable(names) {
  const rows = [];
  for (const name of names) {
    const file = path.join(__dirname, 'results', `${name}.json`);
    if (!fs.existsSync(file)) continue;
    const data = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const r of data.results ?? []) {
      rows.push([name, r.name, fmt(r.value), r.unit ?? '', r.target ?? '']);
    }
  }
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => String(r[i]).length), 6));
  console.log(
    '\n' + ['bench', 'figure', 'value', 'unit', 'target'].map((h, i) => h.padEnd(widths[i])).join('  '),
  );
  for (const r of rows) console.log(r.map((c, i) => String(c).padEnd(widths[i])).join('  '));
}

const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? v : Number(v.toPrecision(4))) : v);

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
