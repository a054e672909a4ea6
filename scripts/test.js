// `npm test`: build (integration tests spawn the built services), then every test suite.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
function step(cmd, args, opts = {}) {
  console.log(`\n> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

step('node', ['scripts/build.js']);
step('npx', ['jest', '--maxWorkers=2', ...process.argv.slice(2)]);
if (fs.existsSync(path.join(root, 'grafana-plugin', 'package.json'))) {
  step('npm', ['test', '--workspace', 'grafana-plugin']);
}
