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

// Lint first: a formatting slip fails in seconds, not after the suites.
step('npx', ['eslint', '.']);
step('npx', ['prettier', '--check', '.']);
step('node', ['scripts/build.js']);
// PGlite loads its WASM through a dynamic import(), which jest's VM allows only with this flag.
const jestEnv = {
  ...process.env,
  NODE_OPTIONS:
    `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim(),
};
step('npx', ['jest', '--maxWorkers=2', ...process.argv.slice(2)], { env: jestEnv });
if (fs.existsSync(path.join(root, 'grafana-plugin', 'package.json'))) {
  step('npm', ['test', '--workspace', 'grafana-plugin']);
}
