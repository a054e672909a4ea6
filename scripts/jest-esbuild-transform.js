// Jest transform on esbuild: TypeScript, TSX and ES modules to CommonJS. It replaces @swc/jest,
// whose platform binaries the package registry here lacks for other platforms, which breaks
// `npm ci` (the lockfile cannot list them).
const crypto = require('crypto');
const path = require('path');
const { transformSync } = require('esbuild');

const LOADERS = {
  '.ts': 'ts',
  '.tsx': 'tsx',
  '.mts': 'ts',
  '.cts': 'ts',
  '.jsx': 'jsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
};

module.exports = {
  process(source, filename) {
    const loader = LOADERS[path.extname(filename)] ?? 'js';
    const result = transformSync(source, {
      loader,
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
      // tsconfig "jsx": "react" (classic runtime) in the plugin
      jsx: 'transform',
      supported: { 'dynamic-import': false },
    });
    return { code: result.code };
  },
  getCacheKey(source, filename) {
    return crypto
      .createHash('sha256')
      .update('esbuild-1\0')
      .update(filename)
      .update('\0')
      .update(source)
      .digest('hex');
  },
};
