import { spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SERVICE_NODE_FLAGS } = require('./lib/service-node-flags') as { SERVICE_NODE_FLAGS: string[] };

const root = path.join(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** The exec-form CMD of a Dockerfile: the last one, as the image runs it. */
function dockerCmd(file: string): string[] {
  const lines = read(file)
    .split('\n')
    .filter((l) => /^CMD\s+\[/.test(l));
  return JSON.parse(lines[lines.length - 1].replace(/^CMD\s+/, '')) as string[];
}

describe('the services run with the node flags the benchmarks measured', () => {
  it('names flags this node accepts', () => {
    expect(SERVICE_NODE_FLAGS.length).toBeGreaterThan(0);
    const r = spawnSync(process.execPath, [...SERVICE_NODE_FLAGS, '-e', '0'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('in npm start', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toContain(`node ${SERVICE_NODE_FLAGS.join(' ')} scripts/start.js`);
  });

  it.each([
    ['collector/Dockerfile', 'collector/src/main.ts'],
    ['alerting/Dockerfile', 'alerting/src/cli.ts'],
  ])('in the image of %s, whose CMD runs what the build makes of %s', (dockerfile, source) => {
    const [node, ...args] = dockerCmd(dockerfile);
    expect(node).toBe('node');
    expect(args.slice(0, -1)).toEqual(SERVICE_NODE_FLAGS);
    const entry = args[args.length - 1];
    expect(entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts')).toBe(source);
    expect(fs.existsSync(path.join(root, source))).toBe(true);
  });

  it.each(['collector/src/main.ts', 'alerting/src/cli.ts', 'alerting/bin/aihub-alerting.js'])(
    'in the shebang of %s',
    (file) => {
      expect(read(file).split('\n')[0]).toBe(`#!/usr/bin/env -S node ${SERVICE_NODE_FLAGS.join(' ')}`);
    },
  );

  it.each(['bench/lib/service-process.js', 'bench/evaluation.bench.js'])(
    'where %s starts a service',
    (file) => {
      const text = read(file);
      expect(text).toMatch(/require\('[./]+\/scripts\/lib\/service-node-flags'\)/);
      expect(text).toMatch(/spawn\(process\.execPath, \[\.\.\.SERVICE_NODE_FLAGS, /);
    },
  );
});
