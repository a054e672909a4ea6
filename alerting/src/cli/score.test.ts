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

  it('names the line of a bad row and writes nothing', async () => {
    const input = path.join(dir, 'bad.csv');
    const output = path.join(dir, 'out.csv');
    fs.writeFileSync(input, ['timestamp,value', '1767571200,1', '1767571260,abc', '1767571320,3'].join('\n'));
    const { io, err } = capture();
    expect(await runScoreCommand(['--input', input, '--output', output], io)).toBe(1);
    expect(err.join('')).toMatch(/bad\.csv line 3: value "abc" is not a finite number/);
    expect(fs.existsSync(output)).toBe(false);
  });

  it('rejects rows out of time order, wrong column counts and unreadable timestamps, naming the line', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['1767571260,1', '1767571200,2'], /line 2: timestamp "1767571200" is earlier than the previous row/],
      [['1767571200,1,9'], /line 1: expected 2 columns/],
      [['yesterday,1'], /line 1: timestamp "yesterday" is neither/],
      [['time,value'], /line 1: expected 2 columns|neither/],
      [['timestamp,val'], /line 1: header must be "timestamp,value"/],
    ];
    for (const [rows, message] of cases) {
      const input = path.join(dir, 'in.csv');
      fs.writeFileSync(input, rows.join('\n'));
      const { io, err } = capture();
      expect(await runScoreCommand(['--input', input, '--output', path.join(dir, 'o.csv')], io)).toBe(1);
      expect(err.join('')).toMatch(message);
    }
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
