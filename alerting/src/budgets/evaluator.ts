import type { Database, Logger } from '@aihub/core';
import { openIncidents, refreshIncidents, resolveIncidents, type OpenIncident } from '../incidents/store';
import { fingerprint, type Labels } from '../rules/labels';
import type { Budget } from './schema';
import { BudgetStatusReader, formatAmount, type BudgetInstanceStatus, type BudgetStatus } from './status';

/** What a budget alert would carry right now. */
interface Wanted {
  fingerprint: string;
  labels: Labels;
  annotations: Record<string, string>;
  value: number;
}

interface OpenRow {
  fingerprint: string;
  rule: string;
  labels: Labels;
  annotations: Record<string, string>;
}

export const FORECAST_THRESHOLD = 'forecast';

/**
 * Turns budget status into alerts through the ordinary incident path, so routes, grouping,
 * silences and every channel apply. An alert's identity includes its period, and its incident
 * is marked notify-once: each threshold is announced once per period and instance — the outbox
 * and notification log keep that true across restarts and replicas — and resolves when the
 * period rolls over (or the threshold is no longer reached, e.g. after the limit was raised).
 */
export class BudgetEvaluator {
  readonly reader: BudgetStatusReader;
  private last: { status: BudgetStatus; topN: number }[] = [];

  constructor(private readonly deps: { db: Database; logger: Logger }) {
    this.reader = new BudgetStatusReader(deps.db);
  }

  /** Status of every budget at the last evaluation, with how many instances /metrics shows. */
  lastStatus(): { status: BudgetStatus; topN: number }[] {
    return this.last;
  }

  async evaluate(budgets: Budget[], nowMs: number): Promise<{ evaluated: number; failed: number }> {
    const active = budgets.filter((b) => b.enabled);
    this.reader.retain(new Set(active.map((b) => b.name)));
    const wanted = new Map<string, Wanted>();
    const statuses = new Map<string, BudgetStatus>();
    const failedBudgets = new Set<string>();
    for (const b of active) {
      try {
        const status = await this.reader.status(b, nowMs);
        statuses.set(b.name, status);
        for (const inst of status.instances)
          for (const w of alertsOf(b, status, inst)) wanted.set(w.fingerprint, w);
      } catch (err) {
        failedBudgets.add(b.name);
        this.deps.logger.error('budget evaluation failed', { budget: b.name, err: err as Error });
      }
    }
    this.last = active
      .filter((b) => statuses.has(b.name))
      .map((b) => ({ status: statuses.get(b.name)!, topN: b.metrics_top_n }));
    const open = await this.deps.db.query<OpenRow>(
      `SELECT fingerprint, rule, labels, annotations FROM alert_incidents
       WHERE notify_once AND status <> 'resolved' AND labels ? 'budget_threshold'`,
    );
    const openByFp = new Map(open.map((o) => [o.fingerprint, o]));
    const toOpen: OpenIncident[] = [];
    const refresh: { fingerprint: string; value: number; annotations: Record<string, string> }[] = [];
    const resolve: { fingerprint: string; value: number | null }[] = [];
    for (const w of wanted.values()) {
      const o = openByFp.get(w.fingerprint);
      if (!o)
        toOpen.push({
          fingerprint: w.fingerprint,
          rule: w.labels.alertname,
          severity: w.labels.severity,
          labels: w.labels,
          annotations: w.annotations,
          value: w.value,
          at: nowMs,
        });
      else if (
        o.annotations.percent !== w.annotations.percent ||
        o.annotations.forecast !== w.annotations.forecast
      )
        refresh.push(w);
    }
    for (const o of open) {
      if (wanted.has(o.fingerprint) || failedBudgets.has(o.rule)) continue;
      // A forecast warning stays until its period ends, even if the forecast dips back under.
      const status = statuses.get(o.rule);
      const keep =
        o.labels.budget_threshold === FORECAST_THRESHOLD &&
        status !== undefined &&
        o.annotations.budget_period === status.bounds.label;
      if (!keep) resolve.push({ fingerprint: o.fingerprint, value: null });
    }
    if (toOpen.length || refresh.length || resolve.length)
      await this.deps.db.transaction(async (tx) => {
        await openIncidents(tx, toOpen);
        if (toOpen.length)
          await tx.query(
            `UPDATE alert_incidents SET notify_once = true WHERE fingerprint = ANY($1::text[]) AND status <> 'resolved'`,
            [toOpen.map((i) => i.fingerprint)],
          );
        await refreshIncidents(tx, refresh);
        await resolveIncidents(tx, resolve, nowMs);
      });
    return { evaluated: statuses.size, failed: failedBudgets.size };
  }
}

/** The alerts one budget instance raises now: one per threshold reached, plus the forecast warning. */
function alertsOf(b: Budget, s: BudgetStatus, inst: BudgetInstanceStatus): Wanted[] {
  const thresholds: string[] = inst.crossed.map(String);
  if (inst.forecastOver) thresholds.push(FORECAST_THRESHOLD);
  if (!thresholds.length) return [];
  const scope = Object.entries(inst.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const spent = formatAmount(inst.spent, s.unit);
  const limit = formatAmount(s.limit, s.unit);
  const forecast = inst.forecast === null ? '' : formatAmount(inst.forecast, s.unit);
  const percent = `${Math.floor(inst.percent)}`;
  const base = {
    metric: s.unit === 'usd' ? 'llm_cost_usd' : 'llm_tokens',
    spent,
    limit,
    percent,
    ...(forecast ? { forecast } : {}),
    budget_period: s.bounds.label,
    period_start: new Date(s.bounds.start).toISOString(),
    period_end: new Date(s.bounds.end).toISOString(),
  };
  return thresholds.map((t) => {
    const labels: Labels = {
      ...b.labels,
      ...inst.labels,
      alertname: b.name,
      budget_threshold: t,
    };
    const summary =
      t === FORECAST_THRESHOLD
        ? `Budget ${b.name}${scope ? ` (${scope})` : ''} is forecast to reach ${forecast} of ${limit} by ${base.period_end} (${spent} spent so far)`
        : `Budget ${b.name}${scope ? ` (${scope})` : ''} passed ${t}%: ${spent} of ${limit} (${percent}%) this ${b.period}`;
    return {
      // The period is part of the identity: the next period's crossing is a new alert.
      fingerprint: fingerprint(b.name, { ...labels, budget_period: s.bounds.label }),
      labels: { ...labels, severity: t !== FORECAST_THRESHOLD && Number(t) >= 100 ? 'critical' : 'warning' },
      annotations: { ...base, summary },
      value: inst.spent,
    };
  });
}
