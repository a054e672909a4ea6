#!/usr/bin/env -S node --no-memory-reducer
import { ConfigError } from '@aihub/core';
import { createCollector } from './collector';
import { loadCollectorConfig } from './config';
import { defaultFeatures } from './features';

/** `node collector/dist/main.js`: the collector alone, configured from the environment. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadCollectorConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const collector = createCollector(config, { features: defaultFeatures(config) });
  const { url } = await collector.start();
  process.stdout.write(`collector listening on ${url}\n`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: flushing and stopping\n`);
    collector.stop().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`stop failed: ${err}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  // A ConfigError (e.g. TIMESCALEDB=on on a server without it) is the user's to fix: no stack.
  if (err instanceof ConfigError) process.stderr.write(`configuration error: ${err.message}\n`);
  else process.stderr.write(`collector failed to start: ${err?.stack ?? err}\n`);
  process.exit(1);
});
