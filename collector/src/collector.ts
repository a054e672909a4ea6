import http from 'http';
import type { AddressInfo } from 'net';
import express, { type Express, type Router } from 'express';
import {
  BatchWriter,
  openPostgresWriterThread,
  type WriteConnection,
  bodyIdleTimeout,
  createLogger,
  rejectUnsafeRequestText,
  deleteExpired,
  migrate,
  migrationsComplete,
  openDatabase,
  setupRetention,
  SignedTokens,
  type Database,
  type Logger,
} from '@aihub/core';
import type { CollectorConfig } from './config';
import { authCheck, requireAuth, type AuthOptions } from './http/auth';
import { ApiError, errorHandler, sendError } from './http/errors';
import { IngestService } from './ingest/ingest-service';
import { createPushEndpoint } from './ingest/push-route';
import { createFastLane, type FastRoute } from './http/fast-lane';
import { createQueryRouter } from './query/query-routes';
import { HostSampler } from './system/host-metrics';
import { CollectorTelemetry } from './telemetry/telemetry';

/** What feature modules get to mount their routes and background work. */
export interface CollectorContext {
  config: CollectorConfig;
  db: Database;
  ingest: IngestService;
  telemetry: CollectorTelemetry;
  logger: Logger;
  signedTokens: SignedTokens;
  server: http.Server;
}

/** A feature plugged into the collector: routes, and optionally work to start and stop. */
export interface CollectorFeature {
  name: string;
  router?: (ctx: CollectorContext) => Router;
  /** Routes of that router served before express in the one spelling clients send (hot paths). */
  fastRoutes?: (ctx: CollectorContext) => FastRoute[];
  start?: (ctx: CollectorContext) => Promise<void> | void;
  stop?: () => Promise<void> | void;
}

export interface CollectorDeps {
  /** An already open database (the embedded run shares one PGlite between services). */
  db?: Database;
  logger?: Logger;
  now?: () => number;
  features?: CollectorFeature[];
}

export interface Collector {
  start(): Promise<{ url: string }>;
  /** Stops taking requests, commits everything acknowledged, closes storage. */
  stop(): Promise<void>;
  readonly url: string;
  readonly context: CollectorContext;
  readonly app: Express;
}

const PUBLIC_PATHS = ['/health', '/ready'];

export function createCollector(config: CollectorConfig, deps: CollectorDeps = {}): Collector {
  const logger = deps.logger ?? createLogger({ level: config.logLevel, base: { service: 'collector' } });
  const features = deps.features ?? [];
  let ctx: CollectorContext | undefined;
  let app: Express | undefined;
  let writer: BatchWriter | undefined;
  let writerThread: WriteConnection | undefined;
  let ownsDb = false;
  let url = '';
  const timers: NodeJS.Timeout[] = [];
  let stopping: Promise<void> | undefined;

  async function start(): Promise<{ url: string }> {
    const db = deps.db ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
    ownsDb = !deps.db;
    await migrate(db);
    const retentionMode = await setupRetention(db, {
      retentionDays: config.retentionDays,
      compressAfterDays: config.compressAfterDays,
      timescaledb: config.timescaledb,
      warn: (message) => logger.warn(message),
    });

    const telemetry = new CollectorTelemetry({
      serviceName: 'aihub-collector',
      liveGaugeTtlMs: config.liveGaugeTtlMs,
      queueDepth: () => writer?.queuedRows ?? 0,
      now: deps.now,
    });
    // On a server, commits run on their own thread, off the event loop that parses pushes.
    if (db.driver === 'postgres' && config.databaseUrl)
      writerThread = await openPostgresWriterThread({ url: config.databaseUrl });
    writer = new BatchWriter(writerThread ?? db, {
      maxQueueRows: config.maxQueueRows,
      maxSeries: config.maxSeries,
      onFlush: (_rows, seconds) => telemetry.recordFlush(seconds),
    });
    const ingest = new IngestService({
      db,
      writer,
      telemetry,
      logger,
      limits: config.limits,
      priceOverrides: config.priceOverrides,
      now: deps.now,
    });
    const signedTokens = new SignedTokens(
      config.tokens.join('\u0000') || `loopback-${process.pid}-${Math.random()}`,
    );

    app = express();
    app.disable('x-powered-by');
    app.set('query parser', 'simple');
    const t = telemetry;
    const auth: AuthOptions = {
      tokens: config.tokens,
      publicPaths: PUBLIC_PATHS,
      signedTokens,
      signedTokenPaths: ['/v1/stream/', '/v1/ws'],
    };
    const logError = (err: unknown) => logger.error('request failed', { err });
    const watchBodyIdle = bodyIdleTimeout(config.bodyIdleTimeoutMs, () => t.countRejected('body_timeout'));
    const checkAuth = authCheck(auth);
    const push = createPushEndpoint({
      ingest,
      telemetry,
      maxBodyBytes: config.limits.maxBodyBytes,
      maxInflight: config.maxInflightPushes,
      maxOpenBodies: config.maxOpenBodies,
    });
    // The hot ingest routes go straight to their handlers; everything else through express.
    const fastRoutes: FastRoute[] = [push.route];
    const serveFast = createFastLane(fastRoutes, {
      telemetry,
      authorize: checkAuth,
      watchBodyIdle: (req, res) => watchBodyIdle(req, res, () => undefined),
      logError,
    });
    const expressApp = app;
    const server = http.createServer((req, res) => {
      if (!serveFast(req, res)) expressApp(req, res);
    });
    ctx = { config, db, ingest, telemetry, logger, signedTokens, server };
    for (const f of features) if (f.fastRoutes) fastRoutes.push(...f.fastRoutes(ctx));

    app.use((req, res, next) => {
      t.timeHttp(req.method, res, () =>
        req.route?.path ? String(req.route.path) : res.statusCode === 404 ? 'unmatched' : req.path,
      );
      next();
    });
    app.get('/health', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.get('/ready', async (_req, res) => {
      try {
        await db.query('SELECT 1');
        const migrated = await migrationsComplete(db);
        if (!migrated) return res.status(503).json({ status: 'migrating' });
        res.json({ status: 'ready', storage: db.driver, retention: retentionMode });
      } catch (err) {
        res.status(503).json({ status: 'unavailable', error: (err as Error).message });
      }
    });
    // Before auth and routes: a stalled body is cut off, NUL or lone surrogates in the path or
    // query string are a 400 naming them (never a storage error).
    app.use(watchBodyIdle);
    app.use(requireAuth(auth));
    app.use(rejectUnsafeRequestText());
    app.get('/metrics', (req, res) => t.handleScrape(req, res));
    app.use(push.router);
    app.use(
      createQueryRouter({ db, now: deps.now, budget: config.queryBudget, rollups: config.queryRollups }),
    );
    for (const f of features) if (f.router) app.use(f.router(ctx));
    app.use((req, res) =>
      sendError(res, new ApiError(404, 'not_found', `no route for ${req.method} ${req.path}`)),
    );
    app.use(errorHandler(logError));

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    server.keepAliveTimeout = 65_000; // longer than typical load-balancer idle timeouts
    server.requestTimeout = config.requestTimeoutMs; // a trickled request cannot stay open for ever
    const { port } = server.address() as AddressInfo;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

    if (config.tokens.length === 0) {
      logger.warn('AIHUB_TOKENS is not set: serving loopback clients only, without authentication');
    }
    if (config.selfMetricsIntervalMs > 0) {
      const sampler = new HostSampler(config.dataDir);
      const tick = () =>
        ingest.ingest({ system: [sampler.sample()] }, { source: 'system' }).catch((err) => {
          logger.warn('could not store own host metrics', { err });
        });
      timers.push(setInterval(tick, config.selfMetricsIntervalMs));
    }
    if (retentionMode === 'job') {
      const prune = () =>
        deleteExpired(db, config.retentionDays).catch((err) => logger.warn('retention job failed', { err }));
      timers.push(setInterval(prune, 3_600_000));
    }
    for (const f of features) await f.start?.(ctx);
    timers.forEach((tm) => tm.unref());
    logger.info('collector listening', { url, storage: db.driver, retention: retentionMode });
    return { url };
  }

  async function stop(): Promise<void> {
    if (!stopping) stopping = doStop();
    return stopping;
  }

  async function doStop(): Promise<void> {
    timers.forEach(clearInterval);
    if (!ctx) return;
    const { server, db, telemetry } = ctx;
    for (const f of [...features].reverse()) await f.stop?.();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // Requests in flight finish (their batches commit) before storage closes.
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    await closed;
    clearTimeout(force);
    await writer?.close();
    await writerThread?.close();
    await telemetry.shutdown();
    if (ownsDb) await db.close();
    logger.info('collector stopped');
  }

  return {
    start,
    stop,
    get url() {
      return url;
    },
    get context() {
      if (!ctx) throw new Error('collector not started');
      return ctx;
    },
    get app() {
      if (!app) throw new Error('collector not started');
      return app;
    },
  };
}
