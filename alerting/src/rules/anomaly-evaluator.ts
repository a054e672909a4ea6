import { parseExpression } from 'cron-parser';
import { listSeries, queryRange, type Database, type Logger } from '@aihub/core';
import {
  createStreamingDetector,
  restoreStreamingDetector,
  type Point,
  type StreamingDetector,
} from '../anomaly';
import { orderSeries } from '../anomaly/orderSeries';
import type { AnomalyRule } from '../config/schema';
import { formatValue } from '../types/value';
import type { AnomalyEvaluator, AnomalyObservation } from './engine';
import { labelsKey, type Labels } from '../types/labels';

interface SeriesModel {
  labels: Labels;
  detector: StreamingDetector;
  lastTs: number | null;
  lastValue: number | null;
  lastScore: number;
  /** An anomaly alert is open until no high score has been seen for resolve_after. */
  open: boolean;
  lastHighAt: number | null;
  severity: 'critical' | 'warning' | 'info';
  context: Record<string, string>;
  trainedAt: number;
  dirty: boolean;
  savedAt: number;
}

interface RuleModels {
  signature: string;
  series: Map<string, SeriesModel>;
}

/** How often fed-but-unsaved models are written to anomaly_models. */
const SAVE_EVERY_MS = 60_000;

/**
 * Runs `type: anomaly` rules: one streaming detector per series (the anomaly module), fed the
 * points stored since it last looked — strictly in time order, so each score uses only
 * earlier points. Models are persisted in anomaly_models and restored on restart, retrained
 * on the rule's cron, and their latest scores exported as aihub_anomaly_score.
 */
export class AnomalyRuleEvaluator implements AnomalyEvaluator {
  private readonly rules = new Map<string, RuleModels>();

  constructor(private readonly deps: { db: Database; logger: Logger }) {}

  scores(): { rule: string; labels: Labels; score: number }[] {
    const out: { rule: string; labels: Labels; score: number }[] = [];
    for (const [rule, m] of this.rules)
      for (const s of m.series.values()) out.push({ rule, labels: s.labels, score: s.lastScore });
    return out;
  }

  retain(names: Set<string>): void {
    for (const name of this.rules.keys()) if (!names.has(name)) this.rules.delete(name);
  }

  private signature(rule: AnomalyRule): string {
    return JSON.stringify([rule.min_history, rule.score_threshold, rule.suppress_for, rule.seed]);
  }

  private newDetector(rule: AnomalyRule): StreamingDetector {
    return createStreamingDetector({
      minHistory: rule.min_history,
      threshold: rule.score_threshold,
      suppressionMs: rule.suppress_for,
      retrainEvery: 0, // the rule's cron decides
      forest: { seed: rule.seed },
    });
  }

  private async load(rule: AnomalyRule): Promise<RuleModels> {
    const signature = this.signature(rule);
    let models = this.rules.get(rule.name);
    if (models && models.signature === signature) return models;
    models = { signature, series: new Map() };
    const rows = await this.deps.db.query<{
      series_key: string;
      labels: Labels;
      model: { signature: string; detector: unknown; state: Partial<SeriesModel> };
      trained_at: string | number;
    }>(
      `SELECT series_key, labels, model, extract(epoch FROM trained_at) * 1000 AS trained_at FROM anomaly_models WHERE rule = $1`,
      [rule.name],
    );
    for (const r of rows) {
      if (r.model.signature !== signature) continue; // settings changed: start over
      try {
        const detector = restoreStreamingDetector(r.model.detector);
        const st = r.model.state;
        models.series.set(r.series_key, {
          labels: r.labels,
          detector,
          lastTs: st.lastTs ?? null,
          lastValue: st.lastValue ?? null,
          lastScore: st.lastScore ?? 0,
          open: st.open ?? false,
          lastHighAt: st.lastHighAt ?? null,
          severity: st.severity ?? 'info',
          context: st.context ?? {},
          trainedAt: Number(r.trained_at),
          dirty: false,
          savedAt: Date.now(),
        });
      } catch (err) {
        this.deps.logger.warn('anomaly model could not be restored; retraining', {
          rule: rule.name,
          err: err as Error,
        });
      }
    }
    this.rules.set(rule.name, models);
    return models;
  }

  async evaluate(rule: AnomalyRule, nowMs: number): Promise<AnomalyObservation[]> {
    const models = await this.load(rule);
    const series = await listSeries(this.deps.db, rule.metric, rule.matchers);
    const out: AnomalyObservation[] = [];
    for (const info of series) {
      const key = labelsKey(info.labels);
      let m = models.series.get(key);
      if (!m) {
        m = {
          labels: info.labels,
          detector: this.newDetector(rule),
          lastTs: null,
          lastValue: null,
          lastScore: 0,
          open: false,
          lastHighAt: null,
          severity: 'info',
          context: {},
          trainedAt: nowMs,
          dirty: true,
          savedAt: 0,
        };
        models.series.set(key, m);
      }
      const fromMs = m.lastTs === null ? nowMs - rule.history : m.lastTs + 1;
      const res = await queryRange(this.deps.db, {
        name: rule.metric,
        matchers: info.labels,
        fromMs,
        toMs: nowMs,
      });
      const points = res.series.find((s) => labelsKey(s.labels) === key)?.points ?? [];
      let alerted = false;
      for (const { timestamp: t, value: v } of this.usablePoints(rule, key, points, m.lastTs)) {
        const r = m.detector.update({ timestamp: t, value: v });
        m.lastTs = t;
        m.lastValue = v;
        m.lastScore = r.score;
        if (r.score >= rule.score_threshold) m.lastHighAt = t;
        if (r.alert) {
          alerted = true;
          m.severity = r.severity;
          m.context = {
            anomaly_score: formatValue(r.score),
            historical_mean: formatValue(r.context.historicalMean),
            historical_std: formatValue(r.context.historicalStd),
            percentile: formatValue(r.context.percentile),
          };
        }
        m.dirty = true;
      }
      if (alerted) m.open = true;
      else if (m.open && (m.lastHighAt === null || nowMs - m.lastHighAt >= rule.resolve_after))
        m.open = false;
      if (this.retrainDue(rule, m.trainedAt, nowMs)) {
        m.detector.retrain();
        m.trainedAt = nowMs;
        m.dirty = true;
        m.savedAt = 0;
      }
      if (m.dirty && nowMs - m.savedAt >= SAVE_EVERY_MS) await this.save(rule, key, m, nowMs);
      if (m.lastValue !== null) {
        out.push({
          labels: info.labels,
          value: m.lastValue,
          holds: m.open,
          score: m.lastScore,
          severity: m.severity,
          annotations: m.context,
        });
      }
    }
    return out;
  }

  /**
   * The queried points the detector can take: finite values, in time order, one per
   * timestamp (duplicates merged), none before the last point it saw. What was dropped or
   * reordered is logged once per evaluation, with counts.
   */
  private usablePoints(
    rule: AnomalyRule,
    key: string,
    raw: [number, number][],
    lastTs: number | null,
  ): Point[] {
    const finite = raw
      .filter(([, v]) => Number.isFinite(v))
      .map(([timestamp, value]) => ({ timestamp, value }));
    const { points, outOfOrder, duplicates } = orderSeries(finite);
    const fresh = lastTs === null ? points : points.filter((p) => p.timestamp > lastTs);
    const nonFinite = raw.length - finite.length;
    const late = points.length - fresh.length;
    if (nonFinite || outOfOrder || duplicates || late)
      this.deps.logger.warn('anomaly rule input cleaned', {
        rule: rule.name,
        series: key,
        nonFinite,
        outOfOrder,
        duplicates,
        late,
      });
    return fresh;
  }

  private retrainDue(rule: AnomalyRule, trainedAt: number, nowMs: number): boolean {
    try {
      const next = parseExpression(rule.retrain, { currentDate: new Date(trainedAt) })
        .next()
        .getTime();
      return nowMs >= next;
    } catch {
      return false;
    }
  }

  private async save(rule: AnomalyRule, key: string, m: SeriesModel, nowMs: number): Promise<void> {
    const state = {
      lastTs: m.lastTs,
      lastValue: m.lastValue,
      lastScore: m.lastScore,
      open: m.open,
      lastHighAt: m.lastHighAt,
      severity: m.severity,
      context: m.context,
    };
    const model = { signature: this.signature(rule), detector: m.detector.toJSON(), state };
    await this.deps.db.query(
      `INSERT INTO anomaly_models (rule, series_key, labels, model, trained_at, updated_at)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, to_timestamp($5 / 1000.0), now())
       ON CONFLICT (rule, series_key) DO UPDATE SET labels = EXCLUDED.labels, model = EXCLUDED.model, trained_at = EXCLUDED.trained_at, updated_at = now()`,
      [rule.name, key, JSON.stringify(m.labels), JSON.stringify(model), m.trainedAt],
    );
    m.dirty = false;
    m.savedAt = nowMs;
  }

  /** Writes every unsaved model (on stop). */
  async flush(rulesByName: Map<string, AnomalyRule>, nowMs: number): Promise<void> {
    for (const [name, models] of this.rules) {
      const rule = rulesByName.get(name);
      if (!rule) continue;
      for (const [key, m] of models.series) if (m.dirty) await this.save(rule, key, m, nowMs);
    }
  }
}
