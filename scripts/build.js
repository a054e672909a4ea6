// `npm run build`: TypeScript packages, the PGlite template a fresh data directory starts
// from (initdb and migrations done here once, not in the first `npm start`), then the Grafana
// plugin and the dashboards JSON when those workspaces exist.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
function step(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

step('npx', ['tsc', '-b', 'tsconfig.build.json']);
// Its own process: initdb's WASM memory (~850 MB) is given back when it exits.
step(process.execPath, [
  '-e',
  `require('./core/dist').buildPGliteTemplate().then((built) =>
     console.log(built ? 'PGlite template built' : 'PGlite template is current'))`,
]);
for (const ws of ['grafana-plugin', 'dashboards']) {
  const pkg = path.join(root, ws, 'package.json');
  if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).scripts?.build) {
    step('npm', ['run', 'build', '--workspace', ws]);
  }
}
