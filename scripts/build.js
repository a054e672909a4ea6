// `npm run build`: TypeScript packages, then the Grafana plugin and the dashboards JSON
// when those workspaces exist.
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
for (const ws of ['grafana-plugin', 'dashboards']) {
  const pkg = path.join(root, ws, 'package.json');
  if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).scripts?.build) {
    step('npm', ['run', 'build', '--workspace', ws]);
  }
}
