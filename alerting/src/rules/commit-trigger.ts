import { performance } from 'perf_hooks';
import { parseCommitNotice, SERIES_CHANNEL, type Database, type Logger } from '@aihub/core';
import type { Rule } from '../config/schema';

/** What commits touched since the last evaluation: metric names, or everything. */
export type Touched = Set<string> | 'all';

/** Notices arriving within this long are evaluated together. */
const DEBOUNCE_MS = 5;
/**
 * Between two evaluations on commit, at least this long and at least as long as the last one
 * took: a stream of pushes gets prompt alerts without evaluation taking over the process.
 */
const MIN_GAP_MS = 50;

/** Whether a rule reads any of the touched metrics. */
export function ruleSelects(rule: Rule, touched: Touched): boolean {
  if (touched === 'all') return true;
  if (touched.has(rule.metric)) return true;
  return rule.type === 'threshold' && !!rule.divide_by?.metric && touched.has(rule.divide_by.metric);
}

/**
 * Evaluation on commit: listens for the collector's commit notices (LISTEN/NOTIFY on
 * PostgreSQL; PGlite delivers them in-process when both services share it) and calls `run`
 * with the metric names written, debounced, never two runs at once.
 */
export class CommitTrigger {
  private pending: Touched | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private nextAllowedAt = 0;
  private unlisten?: () => Promise<void>;

  constructor(
    private readonly deps: { db: Database; logger: Logger; run: (touched: Touched) => Promise<void> },
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.deps.db.listen(SERIES_CHANNEL, (payload) => {
      const { names } = parseCommitNotice(payload);
      this.touch(names ? new Set(names) : 'all');
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.unlisten?.().catch(() => undefined);
    this.unlisten = undefined;
  }

  /** Records touched names and schedules a run. */
  touch(touched: Touched): void {
    if (!this.unlisten) return;
    if (touched === 'all' || this.pending === 'all') this.pending = 'all';
    else if (!this.pending) this.pending = touched;
    else for (const n of touched) this.pending.add(n);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.running || !this.pending) return;
    const wait = Math.max(DEBOUNCE_MS, this.nextAllowedAt - performance.now());
    this.timer = setTimeout(() => void this.fire(), wait);
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    const touched = this.pending;
    this.pending = undefined;
    if (!touched) return;
    this.running = true;
    const started = performance.now();
    try {
      await this.deps.run(touched);
    } catch (err) {
      this.deps.logger.error('evaluation on commit failed', { err: err as Error });
    } finally {
      this.running = false;
      const took = performance.now() - started;
      this.nextAllowedAt = performance.now() + Math.max(MIN_GAP_MS, took);
      this.schedule();
    }
  }
}
