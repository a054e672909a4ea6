#!/usr/bin/env -S node --no-memory-reducer
// The committed bin entry: npm links bins at install time, before `npm run build` creates dist/,
// so the link must point at a file that exists in a fresh clone.
try {
  require.resolve('../dist/cli.js');
} catch {
  process.stderr.write('aihub-alerting is not built yet: run `npm run build` at the repository root\n');
  process.exit(1);
}
require('../dist/cli.js');
