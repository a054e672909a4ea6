import fs from 'fs';
import os from 'os';
import path from 'path';
import { runScoreCommand } from './score';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } },
    out,
    err,
  };
}

describe('aihub-alerting score', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'score-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const series = (n: number, spikeAt: number) =>
    Array.from(
      { length: n },
      (_, i) =>
        `${new Date(Date.UTC(2026, 0, 5) + i * 60_000).toISOString()},${(i === spikeAt ? 80 : 50 + Math.sin(i) * 0.5 + ((i * 7919) % 13) / 13).toFixed(3)}`,
    );

  it('writes timestamp,value,anomaly_score online: warm-up 0, scores in [0,1], the spike stands out', async () => {
    const input = path.join(dir, 'series.csv');
    const output = path.join(dir, 'scores.csv');
    fs.writeFileSync(input, ['timestamp,value', ...series(400, 300)].join('\n'));
    const { io, err } = capture();
    expect(await runScoreCommand(['--input', input, '--output', output], io)).toBe(0);
    expect(err).toEqual([]);
    const lines = fs.readFileSync(output, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('timestamp,value,anomaly_score');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows).toHaveLength(400);
    expect(rows[0][0]).toBe(new Date(Date.UTC(2026, 0, 5)).toISOString());
    const scores = rows.map((r) => Number(r[2]));
    expect(scores.slice(0, 100).every((s) => s === 0)).toBe(true);
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(scores[300]).toBe(Math.max(...scores));
    expect(scores[300]).toBeGreaterThan(0.5);
  });

  it('has no look-ahead: scores of a prefix do not change when later rows are added', async () => {
    const all = series(400, 300);
    const run = async (rows: string[], name: string) => {
      const input = path.join(dir, `${name}.csv`);
      const output = path.join(dir, `${name}.out.csv`);
      fs.writeFileSync(input, rows.join('\n'));
      expect(await runScoreCommand(['--input', input, '--output', output], capture().io)).toBe(0);
      return fs.readFileSync(output, 'utf8').trim().split('\n').slice(1);
    };
    const full = await run(all, 'full');
    const prefix = await run(all.slice(0, 310), 'prefix');
    expect(full.slice(0, 310)).toEqual(prefix);
  });

  const runOn = async (rows: string[]) => {
    const input = path.join(dir, 'in.csv');
    const output = path.join(dir, 'out.csv');
    fs.writeFileSync(input, rows.join('\n'));
    const c = capture();
    const code = await runScoreCommand(['--input', input, '--output', output], c.io);
    const written = fs.existsSync(output) ? fs.readFileSync(output, 'utf8').trim().split('\n').slice(1) : [];
    return { code, err: c.err.join(''), out: c.out.join(''), rows: written.map((l) => l.split(',')) };
  };

  it('skips a bad row, names its line in a warning and scores the rest', async () => {
    const r = await runOn(['timestamp,value', '1767571200,1', '1767571260,abc', '1767571320,3']);
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: .*in\.csv line 3: value "abc" is not a finite number; row skipped/);
    expect(r.rows.map((x) => x[0])).toEqual(['1767571200', '1767571320']);
    expect(r.out).toMatch(/scored 2 points .*\(1 bad rows skipped\)/);
  });

  it('skips and counts non-finite values, wrong column counts and unreadable timestamps, naming each line', async () => {
    const r = await runOn([
      'timestamp,value',
      '1767571200,1',
      '1767571260,NaN',
      '1767571320,Infinity',
      '1767571380,',
      '1767571440,1,9',
      'yesterday,1',
      '1767571500,2',
    ]);
    expect(r.code).toBe(0);
    for (const [line, why] of [
      [3, 'value "NaN" is not a finite number'],
      [4, 'value "Infinity" is not a finite number'],
      [5, 'value "" is not a finite number'],
      [6, 'expected 2 columns'],
      [7, 'timestamp "yesterday" is neither'],
    ] as const)
      expect(r.err).toContain(`line ${line}: ${why}`);
    expect(r.rows).toHaveLength(2);
    expect(r.out).toMatch(/\(5 bad rows skipped\)/);
  });

  it('sorts rows out of time order and merges duplicate timestamps, with one warning giving the counts', async () => {
    const r = await runOn([
      'timestamp,value',
      '1767571200,1',
      '1767571320,3',
      '1767571260,2', // steps back, like machine_temperature_system_failure.csv line 10151
      '1767571320,5', // duplicate of the second row
      '1767571380,4',
    ]);
    expect(r.code).toBe(0);
    expect(r.err.match(/warning/g)).toHaveLength(1);
    expect(r.err).toMatch(
      /1 rows out of time order and 1 duplicate timestamps; sorted by time, duplicates merged/,
    );
    expect(r.rows.map(([t, v]) => [t, v])).toEqual([
      ['1767571200', '1'],
      ['1767571260', '2'],
      ['1767571320', '4'],
      ['1767571380', '4'],
    ]);
  });

  it('scores across gaps in time: finite scores in [0, 1] on both sides of a day without data', async () => {
    const before = series(300, -1);
    const after = series(300, 150).map((row) => {
      const [t, v] = row.split(',');
      return `${new Date(Date.parse(t) + 300 * 60_000 + 86_400_000).toISOString()},${v}`;
    });
    const r = await runOn(['timestamp,value', ...before, ...after]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const scores = r.rows.map((x) => Number(x[2]));
    expect(scores).toHaveLength(600);
    expect(scores.every((s) => Number.isFinite(s) && s >= 0 && s <= 1)).toBe(true);
  });

  it('refuses only what cannot be a series: a header naming other columns, or no readable row', async () => {
    let r = await runOn(['timestamp,val', '1767571200,1']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/line 1: header must be "timestamp,value"/);
    r = await runOn(['timestamp,value', 'x,y']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no readable rows/);
    expect(r.rows).toEqual([]);
  });

  it('explains usage errors and a missing input file', async () => {
    let c = capture();
    expect(await runScoreCommand(['--input', 'x.csv'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/--output is required[\s\S]*usage: aihub-alerting score/);
    c = capture();
    expect(await runScoreCommand(['--input', 'a', '--output', 'b', '--min-history', '0'], c.io)).toBe(2);
    expect(c.err.join('')).toMatch(/--min-history must be a positive integer/);
    c = capture();
    expect(
      await runScoreCommand(
        ['--input', path.join(dir, 'nope.csv'), '--output', path.join(dir, 'o.csv')],
        c.io,
      ),
    ).toBe(1);
    expect(c.err.join('')).toMatch(/cannot read .*nope\.csv: ENOENT/);
  });
});
