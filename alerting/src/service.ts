import http from 'http';
import type { AddressInfo } from 'net';
import os from 'os';
import path from 'path';
import { performance } from 'perf_hooks';
import {
  createLogger,
  migrate,
  migrationsComplete,
  openDatabase,
  type Database,
  type Logger,
} from '@aihub/core';
import { createApp } from './api/app';
import type { ApiContext } from './api/context';
import { BudgetEvaluator } from './budgets/evaluator';
import { BudgetStore } from './budgets/store';
import { loadAlertingConfig } from './config/load';
import type { AlertingConfig, AnomalyRule, Rule } from './config/schema';
import { Dispatcher } from './dispatch/dispatcher';
import { LeaderLease } from './ha/leader-lease';
import { AlertingMetrics } from './metrics';
import type { Integration } from './notify/integration';
import { createIntegration } from './notify/integrations';
import { OutboxSender } from './notify/outbox';
import { ProbableCause } from './probable-cause/probable-cause';
import { AnomalyRuleEvaluator } from './rules/anomaly-evaluator';
import { CommitTrigger, ruleSelects, type Touched } from './rules/commit-trigger';
import { RuleEngine } from './rules/engine';
import { RuleStore } from './rules/store';
import { SilenceStore } from './silence/store';

export interface AlertingOptions {
  /** The parsed configuration; default: loaded from configPath (or the shipped defaults). */
  config?: AlertingConfig;
  /** Re-read on reload() / SIGHUP. */
  configPath?: string;
  host?: string;
  port?: number;
  tokens?: string[];
  /** An already open database (npm start shares the collector's PGlite); not closed by stop(). */
  db?: Database;
  databaseUrl?: string;
  dataDir?: string;
  instanceId?: string;
  logger?: Logger;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Clock (ms); tests and benchmarks may control it. */
  now?: () => number;
  /** Reload the configuration on SIGHUP (default true). */
  handleSignals?: boolean;
  /** Run the evaluation loop (default true; false leaves cycles to runCycle()). */
  autoRun?: boolean;
  /** A request body that stops advancing this long is answered 408 and closed (default 10 s). */
  bodyIdleTimeoutMs?: number;
}

export interface Alerting {
  readonly app: ReturnType<typeof createApp>;
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  /** Replaces the configuration (channels, routes, rules) without losing state. */
  reload(config?: AlertingConfig): Promise<void>;
  /** One cycle now: leadership, evaluation, dispatch, delivery. */
  runCycle(): Promise<void>;
  isLeader(): boolean;
  readonly db: Database | undefined;
}

/** How often due outbox rows (retries, Retry-After waits) are looked at between cycles. */
const OUTBOX_POLL_MS = 250;
/** A rule whose last evaluation took longer than this is left to the interval sweep. */
const ON_COMMIT_MAX_RULE_SECONDS = 0.25;
/** stop() saves unsaved anomaly models for at most this long (a process manager kills at ~10 s). */
const STOP_SAVE_MS = 4_000;

/**
 * The alerting service: rule engine, dispatcher, notification outbox and API on one database.
 * Build with the configuration and dependencies, then start()/stop(); nothing global.
 */
export function createAlerting(options: AlertingOptions = {}): Alerting {
  const now = options.now ?? Date.now;
  const logger =
    options.logger ??
    createLogger({ level: options.logLevel ?? 'info', base: { service: 'aihub-alerting' } });
  let config: AlertingConfig = options.config ?? loadAlertingConfig(options.configPath);
  let integrations = new Map<string, Integration>(
    config.channels.map((c) => [c.name, createIntegration(c, now)]),
  );
  const instanceId =
    options.instanceId ?? `${os.hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const ownsDb = !options.db;
  let db: Database | undefined = options.db;
  let leader = false;
  let started = false;
  let stopping = false;
  let server: http.Server | undefined;
  let cycleTimer: NodeJS.Timeout | undefined;
  let outboxTimer: NodeJS.Timeout | undefined;
  let cycleRunning: Promise<void> | undefined;
  // Dispatch and delivery after the sweep and after evaluations on commit take turns on one lane.
  let lane: Promise<void> = Promise.resolve();
  let commitRunning: Promise<void> | undefined;
  // The rules as of the last cycle (refreshed every interval, and at once after a rule changes).
  let currentRules: Rule[] = [];
  // Aborted by stop(): a running evaluation stops at its next checkpoint instead of finishing.
  const stopSignal = new AbortController();

  const dbOrThrow = () => {
    if (!db) throw new Error('alerting is not started');
    return db;
  };
  // Lazily bound to the database opened in start(); the handlers only run after it.
  const lazyDb = new Proxy({} as Database, {
    get: (_t, p) => (dbOrThrow() as unknown as Record<PropertyKey, unknown>)[p],
  });
  const anomaly = new AnomalyRuleEvaluator({ db: lazyDb, logger });
  const ruleStore = new RuleStore(lazyDb, logger);
  const silenceStore = new SilenceStore(lazyDb);
  const budgetStore = new BudgetStore(lazyDb);
  const probableCause = new ProbableCause(() => config.probable_cause, logger);
  const budgets = new BudgetEvaluator({ db: lazyDb, logger });
  // eslint-disable-next-line prefer-const -- assigned after metrics, which reads them lazily
  let engine: RuleEngine;
  // eslint-disable-next-line prefer-const
  let outbox: OutboxSender;
  const metrics = new AlertingMetrics({
    alerts: () => {
      const counts = new Map<string, { alertname: string; severity: string; state: string; count: number }>();
      for (const s of engine.snapshot()) {
        const key = `${s.rule}|${s.labels.severity}|${s.state}`;
        const c = counts.get(key) ?? {
          alertname: s.rule,
          severity: s.labels.severity ?? '',
          state: s.state,
          count: 0,
        };
        c.count++;
        counts.set(key, c);
      }
      return [...counts.values()];
    },
    anomalyScores: () => anomaly.scores(),
    budgets: () => budgets.lastStatus(),
    seriesOverLimit: () => engine.seriesOverLimit(),
    // Every configured channel is reported, 0 included: an empty outbox is a value, not a gap.
    outboxPending: () => ({
      ...Object.fromEntries(config.channels.map((c) => [c.name, 0])),
      ...outbox.pendingByChannel(),
    }),
  });
  engine = new RuleEngine({ db: lazyDb, logger, metrics, anomaly });
  outbox = new OutboxSender({
    db: lazyDb,
    logger,
    metrics,
    integrations: () => integrations,
    retry: () => config.retry,
    now,
    enrich: (n) => probableCause.enrich(n),
  });
  const lease = new LeaderLease(lazyDb, instanceId, () =>
    Math.max(config.leader_lease, 2 * config.evaluation_interval),
  );
  const commits = new CommitTrigger({ db: lazyDb, logger, run: evaluateTouched });
  const dispatcher = new Dispatcher({
    db: lazyDb,
    logger,
    routes: () => config.routes,
    integrations: () => integrations,
    externalURL: () => config.external_url ?? '',
    onEnqueued: () => scheduleOutbox(0),
  });

  async function cycle(): Promise<void> {
    const wasLeader = leader;
    leader = await lease.acquire();
    if (!leader) {
      if (wasLeader) logger.warn('lost alerting leadership', { instance: instanceId });
      return;
    }
    if (!wasLeader) {
      logger.info('alerting leadership acquired', { instance: instanceId });
      await engine.load(); // continue from the state the previous leader persisted
    }
    const rules = (await ruleStore.list()).map((r) => r.rule);
    currentRules = rules;
    const started = performance.now();
    await engine.evaluate(rules, now(), stopSignal.signal);
    metrics.cycleEvaluated((performance.now() - started) / 1000);
    if (stopSignal.signal.aborted) return;
    // A failing budget evaluation must not hold up the notifications of the rules.
    await budgetStore
      .list()
      .then((list) =>
        budgets.evaluate(
          list.map((b) => b.budget),
          now(),
        ),
      )
      .catch((err) => logger.error('budget evaluation failed', { err: err as Error }));
    await inLane('dispatch', deliver);
  }

  async function deliver(): Promise<void> {
    await dispatcher.tick(now());
    await outbox.runOnce();
  }

  function inLane(what: string, fn: () => Promise<void>): Promise<void> {
    const run = lane.then(fn).catch((err) => logger.error(`${what} failed`, { err: err as Error }));
    lane = run;
    return run;
  }

  function runCycle(): Promise<void> {
    if (!cycleRunning) {
      cycleRunning = cycle()
        .catch((err) => logger.error('alerting cycle failed', { err: err as Error }))
        .finally(() => {
          cycleRunning = undefined;
        });
    }
    return cycleRunning;
  }

  /** Evaluation on commit: the rules that read what was written, then dispatch and delivery. */
  async function evaluateTouched(touched: Touched): Promise<void> {
    if (!leader || stopping) return;
    // Rules that take long (thousands of series) wait for the sweep: evaluation on commit is
    // the fast path, and must not turn a stream of pushes into back-to-back full evaluations.
    const rules = currentRules.filter(
      (r) =>
        r.enabled &&
        ruleSelects(r, touched) &&
        (engine.lastEvaluationSeconds(r.name) ?? 0) <= ON_COMMIT_MAX_RULE_SECONDS,
    );
    if (!rules.length) return;
    commitRunning = engine.evaluateRules(rules, now(), stopSignal.signal).then(() => undefined);
    await commitRunning;
    if (stopSignal.signal.aborted) return;
    await inLane('dispatch', deliver);
  }

  function scheduleCycle(delay: number): void {
    if (stopping || options.autoRun === false) return;
    clearTimeout(cycleTimer);
    cycleTimer = setTimeout(async () => {
      const t0 = Date.now();
      await runCycle();
      scheduleCycle(Math.max(0, config.evaluation_interval - (Date.now() - t0)));
    }, delay);
  }

  function scheduleOutbox(delay: number): void {
    if (stopping || !started) return;
    clearTimeout(outboxTimer);
    outboxTimer = setTimeout(async () => {
      if (leader)
        await outbox.runOnce().catch((err) => logger.error('outbox delivery failed', { err: err as Error }));
      scheduleOutbox(OUTBOX_POLL_MS);
    }, delay);
  }

  async function reload(next?: AlertingConfig): Promise<void> {
    const cfg = next ?? loadAlertingConfig(options.configPath);
    const old = integrations;
    integrations = new Map(cfg.channels.map((c) => [c.name, createIntegration(c, now)]));
    config = cfg;
    if (db) await ruleStore.syncConfigRules(cfg.rules);
    if (db) await budgetStore.syncConfigBudgets(cfg.budgets);
    for (const i of old.values()) await i.close?.().catch(() => undefined);
    logger.info('alerting configuration reloaded', {
      rules: cfg.rules.length,
      channels: cfg.channels.length,
      routes: cfg.routes.length,
    });
    scheduleCycle(0);
  }

  const onSighup = () => {
    reload().catch((err) =>
      logger.error('configuration reload failed; keeping the previous one', { err: (err as Error).message }),
    );
  };

  const ctx: ApiContext = {
    db: lazyDb,
    logger,
    now,
    rules: ruleStore,
    silences: silenceStore,
    budgets: { store: budgetStore, evaluator: budgets },
    outbox,
    engine,
    metrics,
    config: () => config,
    integrations: () => integrations,
    ready: async () => started && !!db && (await migrationsComplete(db)),
    leadership: async () => ({
      leader,
      instance: instanceId,
      holder: (await lease.current())?.holder ?? null,
    }),
    poke: () => scheduleCycle(0),
  };
  const app = createApp(ctx, options.tokens ?? [], { bodyIdleTimeoutMs: options.bodyIdleTimeoutMs });

  return {
    app,
    get db() {
      return db;
    },
    isLeader: () => leader,
    runCycle,
    reload,
    async start() {
      if (!db)
        db = await openDatabase({
          databaseUrl: options.databaseUrl,
          dataDir: path.resolve(options.dataDir ?? './data'),
        });
      await migrate(db);
      await ruleStore.syncConfigRules(config.rules);
      await budgetStore.syncConfigBudgets(config.budgets);
      await engine.load();
      server = http.createServer(app);
      server.requestTimeout = 60_000; // a trickled request cannot hold a socket for ever
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.port ?? 4881, options.host ?? '127.0.0.1', () => resolve());
      });
      started = true;
      if (options.handleSignals !== false) process.on('SIGHUP', onSighup);
      if (!(options.tokens ?? []).length)
        logger.warn('AIHUB_TOKENS is not set: serving loopback clients only');
      if (options.autoRun !== false) await commits.start();
      scheduleCycle(0);
      scheduleOutbox(OUTBOX_POLL_MS);
      const addr = server.address() as AddressInfo;
      const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      const url = `http://${host}:${addr.port}`;
      logger.info('alerting listening', { url, instance: instanceId, rules: config.rules.length });
      return { url };
    },
    async stop() {
      stopping = true;
      stopSignal.abort();
      const deadline = Date.now() + STOP_SAVE_MS;
      clearTimeout(cycleTimer);
      clearTimeout(outboxTimer);
      process.off('SIGHUP', onSighup);
      await commits.stop();
      await Promise.all([cycleRunning, commitRunning?.catch(() => undefined)]);
      await lane;
      const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
      await closed;
      if (db) {
        const rules = new Map<string, AnomalyRule>();
        for (const r of config.rules) if (r.type === 'anomaly') rules.set(r.name, r);
        for (const r of await ruleStore.list().catch(() => []))
          if (r.rule.type === 'anomaly') rules.set(r.rule.name, r.rule);
        await anomaly
          .flush(rules, now(), deadline)
          .catch((err) => logger.warn('saving anomaly models failed', { err: err as Error }));
        if (leader) await lease.release().catch(() => undefined);
      }
      leader = false;
      for (const i of integrations.values()) await i.close?.().catch(() => undefined);
      await metrics.shutdown();
      if (db && ownsDb) await db.close();
      started = false;
    },
  };
}
