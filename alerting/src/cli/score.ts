import fs from 'fs';
import path from 'path';
import { createStreamingDetector } from '../anomaly';
import { orderSeries } from '../anomaly/orderSeries';
import { parseSeriesCsv, SeriesCsvError, type ParsedSeriesCsv } from '../anomaly/seriesCsv';

export interface CommandIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE =
  'usage: aihub-alerting score --input series.csv --output scores.csv [--min-history N] [--no-forest]';
/** Bad rows named one by one on stderr; beyond this only their number. */
const MAX_LINES_NAMED = 20;

interface ScoreArgs {
  input: string;
  output: string;
  minHistory?: number;
  /** `--no-forest`: the detector without its isolation forest (for the ablation). */
  useForest: boolean;
}

class UsageError extends Error {}

function parseArgs(args: readonly string[]): ScoreArgs {
  const values = new Map<string, string>();
  let useForest = true;
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--no-forest') {
      useForest = false;
      continue;
    }
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
  return { input, output, minHistory, useForest };
}

/**
 * `aihub-alerting score --input series.csv --output scores.csv`: runs the streaming anomaly
 * detector online over a `timestamp,value` CSV — each score uses only earlier points and the
 * first `--min-history` (default 300: the points the detector learns its level grid from) score 0 — and writes `timestamp,value,anomaly_score`
 * with scores in [0, 1]. Rows are put in time order and duplicate timestamps merged (one
 * warning with the counts); a bad row is skipped with a warning naming its line, and the
 * output has one row per distinct timestamp. Returns the process exit code (0 ok, 1 bad input, 2 usage).
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
  let csv: ParsedSeriesCsv;
  try {
    csv = parseSeriesCsv(text);
  } catch (e) {
    if (e instanceof SeriesCsvError) {
      io.stderr.write(`error: ${parsed.input} ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  for (const row of csv.skipped.slice(0, MAX_LINES_NAMED))
    io.stderr.write(`warning: ${parsed.input} line ${row.line}: ${row.reason}; row skipped\n`);
  if (csv.skipped.length > MAX_LINES_NAMED)
    io.stderr.write(
      `warning: ${parsed.input}: ${csv.skipped.length - MAX_LINES_NAMED} more bad rows skipped\n`,
    );
  const { points, outOfOrder, duplicates } = orderSeries(csv.points);
  if (points.length === 0) {
    io.stderr.write(`error: ${parsed.input}: no readable rows\n`);
    return 1;
  }
  if (outOfOrder || duplicates)
    io.stderr.write(
      `warning: ${parsed.input}: ${outOfOrder} rows out of time order and ${duplicates} duplicate timestamps; sorted by time, duplicates merged (mean value)\n`,
    );
  const detector = createStreamingDetector({
    minHistory: parsed.minHistory,
    useForest: parsed.useForest,
    ...(parsed.minHistory === undefined ? {} : { novelty: { learnPoints: Math.max(2, parsed.minHistory) } }),
  });
  const lines = ['timestamp,value,anomaly_score'];
  for (const p of points) {
    const { score } = detector.update(p);
    // A merged duplicate's value is the mean, not the text of its first row.
    const valueText = Number(p.valueText) === p.value ? p.valueText : String(p.value);
    lines.push(`${p.timestampText},${valueText},${score.toFixed(6)}`);
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
  const skipped = csv.skipped.length ? ` (${csv.skipped.length} bad rows skipped)` : '';
  io.stdout.write(`scored ${points.length} points into ${parsed.output}${skipped}\n`);
  return 0;
}
