import os from 'os';
import path from 'path';
import { envInt, envList, envString, isLoopbackHost, parseDuration, type Env } from '@aihub/core';
import { loadAlertingConfig } from './config/load';
import type { AlertingConfig } from './config/schema';

/** Everything createAlerting needs that comes from the environment (DESIGN.md "Configuration"). */
export interface AlertingEnvConfig {
  host: string;
  port: number;
  /** PostgreSQL; unset → PGlite under dataDir (or the `db` handed to createAlerting). */
  databaseUrl?: string;
  dataDir: string;
  tokens: string[];
  /** ALERTING_CONFIG; undefined → the shipped defaults. */
  configPath?: string;
  config: AlertingConfig;
  /** Identifies this replica in the leader lease. */
  instanceId: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** BODY_IDLE_TIMEOUT (10s): a request body that stops advancing this long is answered 408. */
  bodyIdleTimeoutMs: number;
}

export class AlertingStartupError extends Error {}

/**
 * Reads ALERTING_PORT (4881), HOST (127.0.0.1), DATABASE_URL, DATA_DIR (./data), AIHUB_TOKENS,
 * ALERTING_CONFIG, ALERTING_INSTANCE_ID, LOG_LEVEL, BODY_IDLE_TIMEOUT. Refuses a non-loopback HOST without tokens.
 */
export function alertingConfigFromEnv(env: Env = process.env): AlertingEnvConfig {
  const host = envString(env, 'HOST') ?? '127.0.0.1';
  const tokens = envList(env, 'AIHUB_TOKENS');
  if (tokens.length === 0 && !isLoopbackHost(host)) {
    throw new AlertingStartupError(
      `refusing to listen on ${host} without AIHUB_TOKENS: set AIHUB_TOKENS or bind HOST to 127.0.0.1`,
    );
  }
  const level = envString(env, 'LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    throw new AlertingStartupError('LOG_LEVEL must be debug|info|warn|error');
  const configPath = envString(env, 'ALERTING_CONFIG');
  const dataDir = path.resolve(envString(env, 'DATA_DIR') ?? './data');
  return {
    host,
    port: envInt(env, 'ALERTING_PORT', 4881),
    databaseUrl: envString(env, 'DATABASE_URL'),
    dataDir,
    tokens,
    configPath,
    config: loadAlertingConfig(configPath, { ...env, DATA_DIR: dataDir }),
    instanceId: envString(env, 'ALERTING_INSTANCE_ID') ?? `${os.hostname()}:${process.pid}`,
    logLevel: level as AlertingEnvConfig['logLevel'],
    bodyIdleTimeoutMs: parseDuration(envString(env, 'BODY_IDLE_TIMEOUT') ?? '10s'),
  };
}
