import fs from 'fs';
import path from 'path';
import { createStreamingDetector } from '../anomaly';
import { parseSeriesCsv, SeriesCsvError } from '../anomaly/seriesCsv';

export interface CommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = 'usage: aihub-alerting score --input series.csv --output scores.csv [--min-history N]';

interface ScoreArgs {
  input: string;
  output: string;
  minHistory?: number;
}

class UsageError extends Error {}

function parseArgs(args: readonly string[]): ScoreArgs {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (!['--input', '--output', '--min-history'].includes(flag))
      throw new UsageError(`unknown argument "${flag}"`);
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    values.set(flag, value);
  }
  const input = values.get('--input');
  const output = values.get('--output');
  if (!input) throw new UsageError('--input is required');
  if (!output) throw new UsageError('--output is required');
  const mh = values.get('--min-history');
  let minHistory: number | undefined;
  if (mh !== undefined) {
    minHistory = Number(mh);
    if (!Number.isInteger(minHistory) || minHistory < 1)
      throw new UsageError(`--min-history must be a positive integer, got "${mh}"`);
  }
  return { input, output, minHistory };
}

/**
 * `aihub-alerting score --input series.csv --output scores.csv`: runs the streaming anomaly
 * detector online over a `timestamp,value` CSV — each score uses only earlier points and the
 * first `--min-history` (default 100) score 0 — and writes `timestamp,value,anomaly_score`
 * with scores in [0, 1]. Nothing is written unless the whole input is valid; a bad row is
 * reported with its line number. Returns the process exit code (0 ok, 1 bad input, 2 usage).
 */
export async function runScoreCommand(args: readonly string[], io: CommandIO = process): Promise<number> {
  let parsed: ScoreArgs;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    io.stderr.write(`error: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = await fs.promises.readFile(parsed.input, 'utf8');
  } catch (e) {
    io.stderr.write(
      `error: cannot read ${parsed.input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`,
    );
    return 1;
  }
  let points;
  try {
    points = parseSeriesCsv(text);
  } catch (e) {
    if (e instanceof SeriesCsvError) {
      io.stderr.write(`error: ${parsed.input} ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const detector = createStreamingDetector({ minHistory: parsed.minHistory });
  const lines = ['timestamp,value,anomaly_score'];
  for (const p of points) {
    const { score } = detector.update(p);
    lines.push(`${p.timestampText},${p.valueText},${score.toFixed(6)}`);
  }
  // Write beside the target and rename, so a failed run never leaves a half-written file.
  const tmp = path.join(
    path.dirname(path.resolve(parsed.output)),
    `.${path.basename(parsed.output)}.${process.pid}.tmp`,
  );
  try {
    await fs.promises.writeFile(tmp, `${lines.join('\n')}\n`);
    await fs.promises.rename(tmp, parsed.output);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    io.stderr.write(
      `error: cannot write ${parsed.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`,
    );
    return 1;
  }
  io.stdout.write(`scored ${points.length} points into ${parsed.output}\n`);
  return 0;
}
