// `npm run test:browser`: builds what the harness needs (the plugin's dist/ if missing, the host
// bundle always), then runs the Chromium tests with jest.
const { spawnSync } = require('child_process');
const path = require('path');
const { buildHost } = require('./buildHost');

const pluginDir = path.resolve(__dirname, '..');

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: pluginDir, stdio: 'inherit', env });
  if (r.status !== 0) {
    process.exit(r.status ?? 1);
  }
}

(async () => {
  // Always the current sources: a stale dist/ would test yesterday's plugin.
  run('npm', ['run', 'build']);
  await buildHost();
  // The built @aihub/core opens PGlite with a dynamic import(), which jest's VM allows only with this flag.
  const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() };
  run('npx', ['jest', '-c', 'jest.browser.config.js', '--runInBand', ...process.argv.slice(2)], env);
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
