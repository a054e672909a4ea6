// Bundles browser/host/hostModules.tsx (react, @grafana/*, … registered with SystemJS) into one IIFE.
const path = require('path');
const esbuild = require('esbuild');

const outfile = path.join(__dirname, '.build', 'host.js');

async function buildHost() {
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'host', 'hostModules.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    outfile,
    jsx: 'automatic',
    minify: false,
    sourcemap: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"development"', global: 'window' },
    loader: { '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.eot': 'empty', '.png': 'empty' },
  });
  return outfile;
}

module.exports = { buildHost, outfile };

if (require.main === module) {
  buildHost().then(
    (f) => console.log(`built ${f}`),
    (e) => {
      console.error(e);
      process.exit(1);
    }
  );
}
