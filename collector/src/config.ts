import path from 'path';
import fs from 'fs';
import {
  ConfigError,
  DEFAULT_MAX_SERIES,
  defaultLimits,
  envInt,
  envList,
  envString,
  isLoopbackHost,
  parseDuration,
  parseTimescaleMode,
  type TimescaleMode,
  type Env,
  type IngestLimits,
  type PriceOverride,
} from '@aihub/core';

export interface CollectorConfig {
  host: string;
  port: number;
  /** PostgreSQL/TimescaleDB; unset → PGlite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  tokens: string[];
  limits: IngestLimits;
  maxQueueRows: number;
  maxInflightPushes: number;
  /** Series in storage beyond which new series are refused (the cardinality guard). */
  maxSeries: number;
  /** Push bodies that may be open at once, however slowly they arrive. */
  maxOpenBodies: number;
  /** A request body that does not advance for this long is answered 408 and closed. */
  bodyIdleTimeoutMs: number;
  /** The whole request (headers and body) must arrive within this long (Node's requestTimeout). */
  requestTimeoutMs: number;
  /** What one query may ask for: series answered one by one, and series × steps. */
  queryBudget: { maxSeries: number; maxSeriesPoints: number };
  retentionDays: number;
  compressAfterDays: number;
  /** TIMESCALEDB=auto|on|off: whether to use the timescaledb extension on a server. */
  timescaledb: TimescaleMode;
  /** QUERY_ROLLUPS=off makes every read use raw rows (for comparisons; default on). */
  queryRollups: boolean;
  /** 0 disables the collector's own host metrics. */
  selfMetricsIntervalMs: number;
  /** A training run or host silent this long drops out of /metrics. */
  liveGaugeTtlMs: number;
  priceOverrides: Record<string, PriceOverride>;
  tensorboardLogdir?: string;
  openai: { apiKey?: string; baseUrl?: string; model: string; timeoutMs: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Reads the collector's configuration (DESIGN.md "Configuration"; .env.example lists all). */
export function loadCollectorConfig(env: Env = process.env): CollectorConfig {
  const host = envString(env, 'HOST') ?? '127.0.0.1';
  const tokens = envList(env, 'AIHUB_TOKENS');
  if (tokens.length === 0 && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} without AIHUB_TOKENS: set AIHUB_TOKENS or bind HOST to 127.0.0.1`,
    );
  }
  const pricesFile = envString(env, 'PRICES_FILE');
  let priceOverrides: Record<string, PriceOverride> = {};
  if (pricesFile) {
    try {
      priceOverrides = JSON.parse(fs.readFileSync(pricesFile, 'utf8'));
    } catch (err) {
      throw new ConfigError(`PRICES_FILE ${pricesFile}: ${(err as Error).message}`);
    }
  }
  const level = envString(env, 'LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level))
    throw new ConfigError(`LOG_LEVEL must be debug|info|warn|error`);
  return {
    host,
    port: envInt(env, 'COLLECTOR_PORT', 4880),
    databaseUrl: envString(env, 'DATABASE_URL'),
    dataDir: path.resolve(envString(env, 'DATA_DIR') ?? './data'),
    tokens,
    limits: {
      maxBodyBytes: envInt(env, 'MAX_BODY_BYTES', defaultLimits.maxBodyBytes, 1),
      maxItems: envInt(env, 'MAX_ITEMS_PER_REQUEST', defaultLimits.maxItems, 1),
      maxNameLength: envInt(env, 'MAX_NAME_LENGTH', defaultLimits.maxNameLength, 1),
      maxLabels: envInt(env, 'MAX_LABELS', defaultLimits.maxLabels, 0),
      maxLabelValueLength: envInt(env, 'MAX_LABEL_VALUE_LENGTH', defaultLimits.maxLabelValueLength, 1),
      maxFutureMs: parseDuration(envString(env, 'MAX_FUTURE') ?? '10m'),
    },
    maxQueueRows: envInt(env, 'MAX_QUEUE_ROWS', 200_000, 1),
    maxInflightPushes: envInt(env, 'MAX_INFLIGHT_PUSHES', 64, 1),
    maxSeries: envInt(env, 'MAX_SERIES', DEFAULT_MAX_SERIES, 1),
    maxOpenBodies: envInt(env, 'MAX_OPEN_BODIES', 1024, 1),
    bodyIdleTimeoutMs: parseDuration(envString(env, 'BODY_IDLE_TIMEOUT') ?? '10s'),
    requestTimeoutMs: parseDuration(envString(env, 'REQUEST_TIMEOUT') ?? '2m'),
    queryBudget: {
      maxSeries: envInt(env, 'MAX_QUERY_SERIES', 10_000, 1),
      maxSeriesPoints: envInt(env, 'MAX_QUERY_POINTS', 2_000_000, 1),
    },
    retentionDays: envInt(env, 'RETENTION_DAYS', 30, 1),
    compressAfterDays: envInt(env, 'COMPRESS_AFTER_DAYS', 7, 1),
    timescaledb: parseTimescaleMode(env.TIMESCALEDB),
    queryRollups: parseOnOff(env, 'QUERY_ROLLUPS', true),
    selfMetricsIntervalMs: parseDuration(envString(env, 'SELF_METRICS_INTERVAL') ?? '15s'),
    liveGaugeTtlMs: parseDuration(envString(env, 'LIVE_GAUGE_TTL') ?? '15m'),
    priceOverrides,
    tensorboardLogdir: envString(env, 'TENSORBOARD_LOGDIR'),
    openai: {
      apiKey: envString(env, 'OPENAI_API_KEY'),
      baseUrl: envString(env, 'OPENAI_BASE_URL'),
      model: envString(env, 'AIHUB_LLM_MODEL') ?? 'gpt-4o-mini',
      timeoutMs: parseDuration(envString(env, 'AIHUB_LLM_TIMEOUT') ?? '30s'),
    },
    logLevel: level as CollectorConfig['logLevel'],
  };
}

function parseOnOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = envString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be on or off, got "${env[name]}"`);
}
