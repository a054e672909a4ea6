import type { Database, Logger } from '@aihub/core';
import { openIncidents, refreshIncidents, resolveIncidents, type OpenIncident } from '../incidents/store';
import { fingerprint, labelsKey, type Labels } from '../types/labels';
import type { Budget } from './schema';
import { BudgetStatusReader, formatAmount, type BudgetInstanceStatus, type BudgetStatus } from './status';

/** What a budget alert would carry right now; labels and annotations are built only when written. */
interface Wanted {
  fingerprint: string;
  percent: string;
  forecast: string | undefined;
  value: number;
  build(): { labels: Labels; annotations: Record<string, string> };
}

/** An open budget incident: only what the comparison needs (thousands of rows per cycle). */
interface OpenRow {
  fingerprint: string;
  rule: string;
  threshold: string;
  period: string | null;
  percent: string | null;
  forecast: string | null;
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
  /** The last cycle left no open budget incident: with no budgets, nothing to look at. */
  private nothingOpen = false;
  /** Fingerprints by their inputs: hashing thousands of instances every cycle is most of its cost. */
  private fingerprints = new Map<string, string>();

  constructor(private readonly deps: { db: Database; logger: Logger }) {
    this.reader = new BudgetStatusReader(deps.db);
  }

  /** Status of every budget at the last evaluation, with how many instances /metrics shows. */
  lastStatus(): { status: BudgetStatus; topN: number }[] {
    return this.last;
  }

  private readonly fingerprintOf = (key: string, compute: () => string): string => {
    let fp = this.fingerprints.get(key);
    if (fp === undefined) {
      if (this.fingerprints.size >= 200_000) this.fingerprints.clear();
      this.fingerprints.set(key, (fp = compute()));
    }
    return fp;
  };

  async evaluate(budgets: Budget[], nowMs: number): Promise<{ evaluated: number; failed: number }> {
    const active = budgets.filter((b) => b.enabled);
    if (!active.length && this.nothingOpen) {
      this.last = [];
      return { evaluated: 0, failed: 0 };
    }
    this.reader.retain(new Set(active.map((b) => b.name)));
    const wanted = new Map<string, Wanted>();
    const statuses = new Map<string, BudgetStatus>();
    const failedBudgets = new Set<string>();
    for (const b of active) {
      try {
        const status = await this.reader.status(b, nowMs);
        statuses.set(b.name, status);
        for (const inst of status.instances)
          for (const w of alertsOf(b, status, inst, this.fingerprintOf)) wanted.set(w.fingerprint, w);
      } catch (err) {
        failedBudgets.add(b.name);
        this.deps.logger.error('budget evaluation failed', { budget: b.name, err: err as Error });
      }
    }
    this.last = active
      .filter((b) => statuses.has(b.name))
      .map((b) => ({ status: statuses.get(b.name)!, topN: b.metrics_top_n }));
    const open = await this.deps.db.query<OpenRow>(
      `SELECT fingerprint, rule, labels->>'budget_threshold' AS threshold, annotations->>'budget_period' AS period,
              annotations->>'percent' AS percent, annotations->>'forecast' AS forecast
       FROM alert_incidents
       WHERE notify_once AND status <> 'resolved' AND labels ? 'budget_threshold'`,
    );
    const openByFp = new Map(open.map((o) => [o.fingerprint, o]));
    const toOpen: OpenIncident[] = [];
    const refresh: { fingerprint: string; value: number; annotations: Record<string, string> }[] = [];
    const resolve: { fingerprint: string; value: number | null }[] = [];
    for (const w of wanted.values()) {
      const o = openByFp.get(w.fingerprint);
      if (!o) {
        const { labels, annotations } = w.build();
        toOpen.push({
          fingerprint: w.fingerprint,
          rule: labels.alertname,
          severity: labels.severity,
          labels,
          annotations,
          value: w.value,
          at: nowMs,
        });
      } else if (o.percent !== w.percent || (o.forecast ?? undefined) !== w.forecast)
        refresh.push({ fingerprint: w.fingerprint, value: w.value, annotations: w.build().annotations });
    }
    for (const o of open) {
      if (wanted.has(o.fingerprint) || failedBudgets.has(o.rule)) continue;
      // A forecast warning stays until its period ends, even if the forecast dips back under.
      const status = statuses.get(o.rule);
      const keep =
        o.threshold === FORECAST_THRESHOLD && status !== undefined && o.period === status.bounds.label;
      if (!keep) resolve.push({ fingerprint: o.fingerprint, value: null });
    }
    this.nothingOpen = open.length === resolve.length && toOpen.length === 0;
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
function alertsOf(
  b: Budget,
  s: BudgetStatus,
  inst: BudgetInstanceStatus,
  fingerprintOf: (key: string, compute: () => string) => string,
): Wanted[] {
  const thresholds: string[] = inst.crossed.map(String);
  if (inst.forecastOver) thresholds.push(FORECAST_THRESHOLD);
  if (!thresholds.length) return [];
  const percent = `${Math.floor(inst.percent)}`;
  const forecast = inst.forecast === null ? undefined : formatAmount(inst.forecast, s.unit);
  const instanceKey = labelsKey(inst.labels);
  return thresholds.map((t) => {
    const labels: Labels = { ...b.labels, ...inst.labels, alertname: b.name, budget_threshold: t };
    return {
      // The period is part of the identity: the next period's crossing is a new alert.
      fingerprint: fingerprintOf(`${b.name}\u0000${s.bounds.label}\u0000${t}\u0000${instanceKey}`, () =>
        fingerprint(b.name, { ...labels, budget_period: s.bounds.label }),
      ),
      percent,
      forecast,
      value: inst.spent,
      build: () => describe(b, s, inst, t, labels, percent, forecast),
    };
  });
}

/** Labels with severity, and the annotations: spent, limit, forecast, period and a summary. */
function describe(
  b: Budget,
  s: BudgetStatus,
  inst: BudgetInstanceStatus,
  t: string,
  labels: Labels,
  percent: string,
  forecast: string | undefined,
): { labels: Labels; annotations: Record<string, string> } {
  const scope = Object.entries(inst.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const spent = formatAmount(inst.spent, s.unit);
  const limit = formatAmount(s.limit, s.unit);
  const periodEnd = new Date(s.bounds.end).toISOString();
  const summary =
    t === FORECAST_THRESHOLD
      ? `Budget ${b.name}${scope ? ` (${scope})` : ''} is forecast to reach ${forecast} of ${limit} by ${periodEnd} (${spent} spent so far)`
      : `Budget ${b.name}${scope ? ` (${scope})` : ''} passed ${t}%: ${spent} of ${limit} (${percent}%) this ${b.period}`;
  return {
    labels: { ...labels, severity: t !== FORECAST_THRESHOLD && Number(t) >= 100 ? 'critical' : 'warning' },
    annotations: {
      metric: s.unit === 'usd' ? 'llm_cost_usd' : 'llm_tokens',
      spent,
      limit,
      percent,
      ...(forecast ? { forecast } : {}),
      budget_period: s.bounds.label,
      period_start: new Date(s.bounds.start).toISOString(),
      period_end: periodEnd,
      summary,
    },
  };
}
