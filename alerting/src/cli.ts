#!/usr/bin/env -S node --no-memory-reducer
import fs from 'fs';
import { runScoreCommand } from './cli/score';
import { exportPrometheusRules } from './export/prometheus-rules';
import { AlertingConfigError } from './config/issues';
import { loadAlertingConfig } from './config/load';
import { createAlerting } from './service';
import { alertingConfigFromEnv, AlertingStartupError } from './service-config';

const USAGE = `usage:
  aihub-alerting                       run the service (env: ALERTING_PORT, HOST, DATABASE_URL, DATA_DIR, AIHUB_TOKENS, ALERTING_CONFIG)
  aihub-alerting check-config FILE     validate a configuration; each error names its path
  aihub-alerting score --input series.csv --output scores.csv
  aihub-alerting export prometheus-rules [--config FILE] [--output FILE]`;

function checkConfig(file: string | undefined): number {
  if (!file) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  try {
    const cfg = loadAlertingConfig(file);
    process.stdout.write(
      `${file}: OK (${cfg.rules.length} rules, ${cfg.channels.length} channels, ${cfg.routes.length} routes)\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof AlertingConfigError) {
      process.stderr.write(`${file}: invalid\n`);
      for (const i of err.issues) process.stderr.write(`  ${i.path}: ${i.message}\n`);
      return 1;
    }
    throw err;
  }
}

function exportRules(args: string[]): number {
  if (args[0] !== 'prometheus-rules') {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const cfg = loadAlertingConfig(opt('--config') ?? process.env.ALERTING_CONFIG ?? undefined);
  const { yaml, skipped } = exportPrometheusRules(cfg.rules);
  const out = opt('--output');
  if (out) fs.writeFileSync(out, yaml);
  else process.stdout.write(yaml);
  for (const s of skipped) process.stderr.write(`skipped ${s.rule}: ${s.reason}\n`);
  return 0;
}

async function serve(): Promise<void> {
  const env = alertingConfigFromEnv();
  const alerting = createAlerting({ ...env, logLevel: env.logLevel });
  const { url } = await alerting.start();
  process.stderr.write(`aihub-alerting listening on ${url}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await alerting.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(argv: string[]): Promise<number | undefined> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case 'serve':
      await serve();
      return undefined;
    case 'check-config':
      return checkConfig(rest[0]);
    case 'score':
      return runScoreCommand(rest);
    case 'export':
      return exportRules(rest);
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      process.stderr.write(`unknown command "${cmd}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(
      `${err instanceof AlertingConfigError || err instanceof AlertingStartupError ? err.message : (err as Error).stack}\n`,
    );
    process.exit(1);
  },
);
