import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';

const pkgDir = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));

test('the aihub-alerting bin is a committed file (npm links bins before dist/ is built)', () => {
  const bin = pkg.bin['aihub-alerting'];
  expect(bin.startsWith('dist/')).toBe(false);
  expect(fs.existsSync(path.join(pkgDir, bin))).toBe(true);
});

test('the bin runs the CLI: check-config on the shipped defaults', () => {
  const out = execFileSync(process.execPath, [
    path.join(pkgDir, pkg.bin['aihub-alerting']),
    'check-config',
    path.join(pkgDir, 'config', 'defaults.yaml'),
  ]).toString();
  expect(out).toMatch(/OK \(\d+ rules/);
});
