import type { Database, Logger } from '@aihub/core';
import type { AnomalyRule, Rule } from '../config/schema';
import { openIncidents, refreshIncidents, resolveIncidents, type OpenIncident } from '../incidents/store';
import type { AlertingMetrics } from '../metrics';
import { compare } from './compare';
import { deleteInstances, loadInstances, saveInstances } from './instance-store';
import { fingerprint, type Labels } from '../types/labels';
import { SelectionReads, thresholdRuleValues } from './series-values';
import { step, type InstanceState, type Observation, type Timing } from './state';
import { renderAnnotations } from './template';
import { TimeSlice } from './time-slice';

/** One observation per series of an anomaly rule (the anomaly module decides what "holds"). */
export interface AnomalyObservation {
  labels: Labels;
  value: number;
  /** An anomaly was seen recently enough to keep the alert open. */
  holds: boolean;
  score: number;
  severity: 'critical' | 'warning' | 'info';
  /** Extra annotations (e.g. historical mean, percentile). */
  annotations?: Record<string, string>;
}

/** An anomaly rule's observations, and how many matched series its max_series left out. */
export interface AnomalyResult {
  observations: AnomalyObservation[];
  beyondCap: number;
}

export interface AnomalyEvaluator {
  evaluate(rule: AnomalyRule, nowMs: number, slice?: TimeSlice): Promise<AnomalyResult>;
  /** Forgets rules that no longer exist. */
  retain(ruleNames: Set<string>): void;
}

export interface EngineDeps {
  db: Database;
  logger: Logger;
  metrics?: AlertingMetrics;
  anomaly?: AnomalyEvaluator;
}

interface Observed {
  labels: Labels;
  obs: Observation;
  annotations?: Record<string, string>;
  severity: string;
}

/**
 * Evaluates rules over stored data: every matched series is its own alert instance, moved
 * through inactive → pending → firing → resolved by `step`, with its state and incident written
 * to the database so that a restart or another replica continues from it.
 */
export class RuleEngine {
  private readonly instances = new Map<string, InstanceState>();
  private loaded = false;
  /** Per rule, series left out by its max_series at its last evaluation (warned once per change). */
  private readonly overLimit = new Map<string, number>();
  private readonly lastSeconds = new Map<string, number>();
  private readonly lastAt = new Map<string, number>();
  private readonly busy = new Map<string, Promise<void>>();

  constructor(private readonly deps: EngineDeps) {}

  /** Reloads persisted state (on start and whenever this replica becomes leader). */
  async load(): Promise<void> {
    this.instances.clear();
    for (const s of await loadInstances(this.deps.db)) this.instances.set(s.fingerprint, s);
    this.loaded = true;
  }

  /** Live instances (pending and firing). */
  snapshot(): InstanceState[] {
    return [...this.instances.values()];
  }

  /** How long the rule's last evaluation took (seconds), if it was evaluated. */
  lastEvaluationSeconds(rule: string): number | undefined {
    return this.lastSeconds.get(rule);
  }

  /** Per rule, how many matched series its max_series left out at its last evaluation. */
  seriesOverLimit(): Map<string, number> {
    return this.overLimit;
  }

  /**
   * Evaluates every enabled rule once at nowMs; a failing rule is counted and logged, the others
   * go on. Work pauses every few milliseconds for the event loop, and stops between two steps
   * once `signal` aborts (the rules not reached keep their state for the next evaluation).
   */
  async evaluate(
    rules: Rule[],
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<{ evaluated: number; failed: number }> {
    if (!this.loaded) await this.load();
    const names = new Set(rules.map((r) => r.name));
    // State of deleted rules: resolve their incidents and forget them.
    const orphans = [...this.instances.values()].filter((s) => !names.has(s.rule));
    if (orphans.length) {
      await this.deps.db.transaction(async (tx) => {
        await resolveIncidents(
          tx,
          orphans.map((s) => ({ fingerprint: s.fingerprint, value: s.value })),
          nowMs,
        );
        await deleteInstances(
          tx,
          orphans.map((s) => s.fingerprint),
        );
      });
      for (const s of orphans) this.instances.delete(s.fingerprint);
    }
    this.deps.anomaly?.retain(names);
    for (const name of this.overLimit.keys()) if (!names.has(name)) this.overLimit.delete(name);
    for (const name of this.lastSeconds.keys()) if (!names.has(name)) this.lastSeconds.delete(name);
    for (const name of this.lastAt.keys()) if (!names.has(name)) this.lastAt.delete(name);
    return this.evaluateRules(rules, nowMs, signal);
  }

  /**
   * Evaluates just these rules (evaluation on commit): the state of rules not named is left
   * alone, unlike evaluate(), which treats the list as complete. The sweep and evaluation on
   * commit may run at once: one rule is never evaluated twice at a time, and never at an
   * earlier moment than it last was (a long sweep must not undo what a commit just fired).
   */
  async evaluateRules(
    rules: Rule[],
    nowMs: number,
    signal?: AbortSignal,
  ): Promise<{ evaluated: number; failed: number }> {
    if (!this.loaded) await this.load();
    const reads = new SelectionReads(this.deps.db, new TimeSlice(signal));
    let failed = 0;
    let evaluated = 0;
    for (const rule of rules) {
      if (!rule.enabled) continue;
      if (signal?.aborted) break;
      while (this.busy.has(rule.name)) await this.busy.get(rule.name);
      const at = Math.max(nowMs, this.lastAt.get(rule.name) ?? nowMs);
      const started = process.hrtime.bigint();
      let ok = true;
      const run = this.evaluateRule(rule, at, reads);
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      this.busy.set(rule.name, settled);
      try {
        await run;
        this.lastAt.set(rule.name, at);
        evaluated++;
      } catch (err) {
        if (signal?.aborted) break; // stopping: not a failure of the rule
        ok = false;
        failed++;
        this.deps.logger.error('rule evaluation failed', { rule: rule.name, err: err as Error });
      }
      if (this.busy.get(rule.name) === settled) this.busy.delete(rule.name);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.lastSeconds.set(rule.name, seconds);
      this.deps.metrics?.ruleEvaluated(rule.name, seconds, !ok);
    }
    return { evaluated, failed };
  }

  /** Remembers how many series the rule's cap left out; warns when that changes. */
  private noteOverLimit(rule: Rule, beyondCap: number): void {
    const before = this.overLimit.get(rule.name) ?? 0;
    this.overLimit.set(rule.name, beyondCap);
    if (beyondCap > 0 && before === 0) {
      this.deps.logger.warn('rule matches more series than its max_series; the newest are not evaluated', {
        rule: rule.name,
        max_series: rule.max_series,
        left_out: beyondCap,
      });
    } else if (beyondCap === 0 && before > 0) {
      this.deps.logger.info('rule is back within its max_series', { rule: rule.name });
    }
  }

  private async observe(rule: Rule, nowMs: number, reads: SelectionReads): Promise<Observed[]> {
    if (rule.type === 'threshold') {
      const { values, beyondCap } = await thresholdRuleValues(this.deps.db, rule, nowMs, reads);
      this.noteOverLimit(rule, beyondCap);
      return values.map((v) => ({
        labels: v.labels,
        severity: rule.severity,
        obs: { kind: 'value', value: v.value, holds: compare(rule.op, v.value, rule.threshold) },
      }));
    }
    if (!this.deps.anomaly) return [];
    const { observations: seen, beyondCap } = await this.deps.anomaly.evaluate(rule, nowMs, reads.slice);
    this.noteOverLimit(rule, beyondCap);
    return seen.map((o) => ({
      labels: o.labels,
      severity: rule.severity === 'auto' ? o.severity : rule.severity,
      annotations: o.annotations,
      obs: { kind: 'value', value: o.value, holds: o.holds },
    }));
  }

  private timing(rule: Rule): Timing {
    if (rule.type === 'threshold')
      return { forMs: rule.for, keepFiringForMs: rule.keep_firing_for, noData: rule.no_data };
    // An anomaly alert fires at once and stays open until no anomaly has been seen for resolve_after.
    return { forMs: 0, keepFiringForMs: 0, noData: 'keep' };
  }

  private async evaluateRule(rule: Rule, nowMs: number, reads: SelectionReads): Promise<void> {
    const observed = await this.observe(rule, nowMs, reads);
    const slice = reads.slice;
    const timing = this.timing(rule);
    const threshold = rule.type === 'threshold' ? rule.threshold : (rule as AnomalyRule).score_threshold;
    const save: InstanceState[] = [];
    const drop: string[] = [];
    const open: OpenIncident[] = [];
    const refresh: { fingerprint: string; value: number | null; annotations: Record<string, string> }[] = [];
    const resolve: { fingerprint: string; value: number | null }[] = [];
    const seen = new Set<string>();

    const apply = (
      fp: string,
      labels: Labels,
      obs: Observation,
      severity: string,
      extra: Record<string, string> = {},
    ) => {
      const prev = this.instances.get(fp);
      // A firing alert keeps the severity it fired with (anomaly severities vary point to point).
      const alertLabels = { ...labels, severity: prev?.labels.severity ?? severity };
      const { next, transition } = step(prev, obs, nowMs, timing, {
        fingerprint: fp,
        rule: rule.name,
        labels: alertLabels,
      });
      const value = obs.kind === 'value' ? obs.value : (prev?.value ?? null);
      // Rendered only for an incident that opens or changes: most observations need none.
      const annotations = () => ({
        metric: rule.metric,
        ...renderAnnotations(rule.annotations, { value, threshold, labels: alertLabels }),
        ...extra,
      });
      if (next) {
        this.instances.set(fp, next);
        if (next !== prev) save.push(next);
      } else if (prev) {
        this.instances.delete(fp);
        drop.push(fp);
      }
      if (transition === 'firing') {
        open.push({
          fingerprint: fp,
          rule: rule.name,
          severity: alertLabels.severity,
          labels: alertLabels,
          annotations: annotations(),
          value,
          at: nowMs,
        });
      } else if (transition === 'resolved') {
        resolve.push({ fingerprint: fp, value });
      } else if (transition === 'stale') {
        this.deps.logger.warn('alert series stopped reporting; keeping its last state', {
          rule: rule.name,
          labels: alertLabels,
        });
      } else if (next?.state === 'firing' && obs.kind === 'value' && prev?.value !== obs.value) {
        refresh.push({ fingerprint: fp, value, annotations: annotations() });
      }
    };

    for (const o of observed) {
      await slice.pause();
      const labels: Labels = { ...o.labels, ...rule.labels, alertname: rule.name };
      const fp = fingerprint(rule.name, labels);
      seen.add(fp);
      apply(fp, labels, o.obs, o.severity, o.annotations);
    }
    for (const s of [...this.instances.values()]) {
      if (s.rule !== rule.name || seen.has(s.fingerprint)) continue;
      await slice.pause();
      const labels = { ...s.labels };
      delete labels.severity;
      apply(
        s.fingerprint,
        labels,
        rule.type === 'anomaly' ? { kind: 'value', value: s.value ?? NaN, holds: false } : { kind: 'nodata' },
        s.labels.severity,
      );
    }
    if (!save.length && !drop.length && !open.length && !refresh.length && !resolve.length) return;
    await this.deps.db.transaction(async (tx) => {
      await saveInstances(tx, save);
      await deleteInstances(tx, drop);
      await openIncidents(tx, open);
      await refreshIncidents(tx, refresh);
      await resolveIncidents(tx, resolve, nowMs);
    });
  }
}
