// Writes bench/results/<name>.json: {name, date, machine, results: [{name, value, unit, target?}]}.
const fs = require('fs');
const os = require('os');
const path = require('path');

function writeResults(name, results, extra = {}) {
  const out = {
    name,
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memory_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      // Other work on the machine moves absolute figures; in-run ratios are what compare.
      loadavg_1m: os.loadavg()[0],
    },
    results,
    ...extra,
  };
  const dir = path.join(__dirname, '..', 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(out, null, 2) + '\n');
  return out;
}

module.exports = { writeResults };
