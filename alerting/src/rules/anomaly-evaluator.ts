import { performance } from 'perf_hooks';
import { parseExpression } from 'cron-parser';
import { isLlmSignal, queryRange, readPointsAfter, type Database, type Logger } from '@aihub/core';
import {
  createStreamingDetector,
  restoreStreamingDetector,
  type Point,
  type StreamingDetector,
} from '../anomaly';
import { orderSeries } from '../anomaly/orderSeries';
import type { AnomalyRule } from '../config/schema';
import { formatValue } from '../types/value';
import type { AnomalyEvaluator, AnomalyResult, AnomalyObservation } from './engine';
import { labelsKey, type Labels } from '../types/labels';
import { loadModels, saveModels, type StoredModel } from './model-store';
import { selectCapped } from './series-cap';
import { TimeSlice } from './time-slice';

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
  /** Where the next evaluation starts when the last one ran out of its time budget. */
  resumeAt: number;
}

/** How often fed-but-unsaved models are written to anomaly_models. */
const SAVE_EVERY_MS = 60_000;
/** Series whose new points are read in one query. */
const SERIES_PER_READ = 500;
/** Rows one read may return (one model's history at most, so a read always makes progress). */
const ROWS_PER_READ = 20_000;
/** Points fed to a model at most per read: the detector keeps no more history than this. */
const POINTS_PER_SERIES = 1_000;
/** Models written per save statement group (a trained model serialises to 100–200 KB). */
const MODELS_PER_SAVE = 20;
/**
 * Wall time one anomaly rule may spend per evaluation (feeding, retraining, saving). Beyond it
 * the rule carries on from that series at the next evaluation, so a flood of new series or a
 * restart with long histories cannot hold up the other rules for minutes.
 */
const WORK_PER_EVALUATION_MS = 3_000;

/**
 * Runs `type: anomaly` rules: one streaming detector per series (the anomaly module), fed the
 * points stored since it last looked — strictly in time order, so each score uses only
 * earlier points. Points are read for hundreds of series per query, work pauses every few
 * milliseconds (TimeSlice), at most max_series series get a model, and each evaluation stops
 * after its time budget. Models are persisted in anomaly_models and restored on restart,
 * retrained on the rule's cron, and their latest scores exported as aihub_anomaly_score.
 */
export class AnomalyRuleEvaluator implements AnomalyEvaluator {
  private readonly rules = new Map<string, RuleModels>();

  constructor(
    private readonly deps: {
      db: Database;
      logger: Logger;
      /** Tuning (tests): the time budget per evaluation and the series read per query. */
      workPerEvaluationMs?: number;
      seriesPerRead?: number;
    },
  ) {}

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

  private newModel(rule: AnomalyRule, labels: Labels, nowMs: number): SeriesModel {
    return {
      labels,
      detector: createStreamingDetector({
        // The rule's warm-up is the detector's learning period too (its level grid).
        minHistory: rule.min_history,
        novelty: { learnPoints: rule.min_history },
        threshold: rule.score_threshold,
        suppressionMs: rule.suppress_for,
        retrainEvery: 0, // the rule's cron decides
        forest: { seed: rule.seed },
      }),
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
  }

  private async load(rule: AnomalyRule, slice: TimeSlice): Promise<RuleModels> {
    const signature = this.signature(rule);
    let models = this.rules.get(rule.name);
    if (models && models.signature === signature) return models;
    models = { signature, series: new Map(), resumeAt: 0 };
    for await (const page of loadModels(this.deps.db, rule.name)) {
      for (const r of page) {
        const stored = r.model as { signature: string; detector: unknown; state: Partial<SeriesModel> };
        if (stored.signature !== signature) continue; // settings changed: start over
        if (models.series.size >= rule.max_series) break;
        await slice.checkpoint();
        try {
          const st = stored.state;
          models.series.set(r.seriesKey, {
            labels: r.labels,
            detector: restoreStreamingDetector(stored.detector),
            lastTs: st.lastTs ?? null,
            lastValue: st.lastValue ?? null,
            lastScore: st.lastScore ?? 0,
            open: st.open ?? false,
            lastHighAt: st.lastHighAt ?? null,
            severity: st.severity ?? 'info',
            context: st.context ?? {},
            trainedAt: r.trainedAt,
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
    }
    this.rules.set(rule.name, models);
    return models;
  }

  async evaluate(rule: AnomalyRule, nowMs: number, slice = new TimeSlice()): Promise<AnomalyResult> {
    const started = performance.now();
    const budget = this.deps.workPerEvaluationMs ?? WORK_PER_EVALUATION_MS;
    const perRead = this.deps.seriesPerRead ?? SERIES_PER_READ;
    const models = await this.load(rule, slice);
    const work = isLlmSignal(rule.metric)
      ? await this.llmWork(rule, models, nowMs)
      : await this.seriesWork(rule, nowMs, slice);
    // Models of series no longer selected (beyond the cap, or gone) are forgotten.
    for (const key of models.series.keys()) if (!work.keys.has(key)) models.series.delete(key);

    const order = work.list;
    const start = models.resumeAt < order.length ? models.resumeAt : 0;
    let done = 0;
    let retrainsLeft = true;
    const nextRetrain = new Map<number, number>();
    const toSave: [string, SeriesModel][] = [];
    // At least one read per evaluation, so every series is reached in turn however tight the budget.
    while (done < order.length && (done === 0 || performance.now() - started < budget)) {
      const page: { key: string; id: number; m: SeriesModel }[] = [];
      for (let i = 0; i < perRead && done + i < order.length; i++) {
        const { key, id, labels } = order[(start + done + i) % order.length];
        let m = models.series.get(key);
        if (!m) models.series.set(key, (m = this.newModel(rule, labels, nowMs)));
        page.push({ key, id, m });
      }
      await slice.checkpoint();
      const read = await work.read(
        page.map((p) => ({ id: p.id, afterMs: p.m.lastTs ?? nowMs - rule.history - 1 })),
      );
      for (const p of page.slice(0, read.answered)) {
        await slice.pause();
        this.feed(rule, p.key, p.m, read.points.get(p.id) ?? [], nowMs);
        if (retrainsLeft && this.retrainDue(rule, p.m.trainedAt, nowMs, nextRetrain)) {
          p.m.detector.retrain();
          p.m.trainedAt = nowMs;
          p.m.dirty = true;
          p.m.savedAt = 0;
          retrainsLeft = performance.now() - started < budget; // the rest retrain next time
        }
        if (p.m.dirty && nowMs - p.m.savedAt >= SAVE_EVERY_MS) toSave.push([p.key, p.m]);
      }
      done += read.answered;
      if (toSave.length >= MODELS_PER_SAVE) await this.save(rule, toSave.splice(0), nowMs, slice);
    }
    await this.save(rule, toSave, nowMs, slice);
    models.resumeAt = order.length ? (start + done) % order.length : 0;
    if (done < order.length) {
      this.deps.logger.debug('anomaly rule ran out of its time budget; continuing next evaluation', {
        rule: rule.name,
        evaluated: done,
        series: order.length,
      });
    }

    const observations: AnomalyObservation[] = [];
    for (const { key } of order) {
      const m = models.series.get(key);
      if (!m || m.lastValue === null) continue;
      observations.push({
        labels: m.labels,
        value: m.lastValue,
        holds: m.open,
        score: m.lastScore,
        severity: m.severity,
        annotations: m.context,
      });
    }
    return { observations, beyondCap: work.beyondCap };
  }

  /** Metric series: read by id, in pages, through core's readPointsAfter. */
  private async seriesWork(rule: AnomalyRule, nowMs: number, slice: TimeSlice) {
    const { series, beyondCap } = await selectCapped(
      this.deps.db,
      rule.metric,
      rule.matchers,
      rule.max_series,
      slice,
    );
    const list = series.map((s) => ({ key: labelsKey(s.labels), id: s.id, labels: s.labels }));
    return {
      list,
      keys: new Set(list.map((s) => s.key)),
      beyondCap,
      read: (cursors: { id: number; afterMs: number }[]) =>
        readPointsAfter(this.deps.db, cursors, nowMs, {
          perSeries: POINTS_PER_SERIES,
          maxRows: ROWS_PER_READ,
        }),
    };
  }

  /**
   * LLM signals (a few provider/model series, derived from llm_requests): one bucketed query
   * from the oldest cursor, split per series.
   */
  private async llmWork(rule: AnomalyRule, models: RuleModels, nowMs: number) {
    let fromMs = nowMs - rule.history;
    for (const m of models.series.values()) if (m.lastTs !== null) fromMs = Math.min(fromMs, m.lastTs + 1);
    const res = await queryRange(this.deps.db, {
      name: rule.metric,
      matchers: rule.matchers,
      fromMs,
      toMs: nowMs,
    });
    const all = res.series.slice(0, rule.max_series);
    const list = all.map((s, i) => ({ key: labelsKey(s.labels), id: i, labels: s.labels }));
    return {
      list,
      keys: new Set(list.map((s) => s.key)),
      beyondCap: res.series.length - all.length,
      read: async (cursors: { id: number; afterMs: number }[]) => ({
        answered: cursors.length,
        points: new Map(cursors.map((c) => [c.id, all[c.id].points.filter(([t]) => t > c.afterMs)] as const)),
      }),
    };
  }

  /** Feeds a model the points after its last one, in time order, and updates whether its alert holds. */
  private feed(rule: AnomalyRule, key: string, m: SeriesModel, raw: [number, number][], nowMs: number): void {
    let alerted = false;
    for (const { timestamp: t, value: v } of this.usablePoints(rule, key, raw, m.lastTs)) {
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
    else if (m.open && (m.lastHighAt === null || nowMs - m.lastHighAt >= rule.resolve_after)) m.open = false;
  }

  /**
   * The read points the detector can take: finite values, in time order, one per timestamp
   * (duplicates merged), none before the last point it saw. What was dropped or reordered is
   * logged once per series and evaluation, with counts.
   */
  private usablePoints(
    rule: AnomalyRule,
    key: string,
    raw: [number, number][],
    lastTs: number | null,
  ): Point[] {
    const finite: Point[] = [];
    for (const [timestamp, value] of raw) if (Number.isFinite(value)) finite.push({ timestamp, value });
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

  /** Whether a model trained at trainedAt is due on the rule's cron (parsed once per training time). */
  private retrainDue(
    rule: AnomalyRule,
    trainedAt: number,
    nowMs: number,
    memo: Map<number, number>,
  ): boolean {
    let next = memo.get(trainedAt);
    if (next === undefined) {
      try {
        next = parseExpression(rule.retrain, { currentDate: new Date(trainedAt) })
          .next()
          .getTime();
      } catch {
        next = Infinity;
      }
      memo.set(trainedAt, next);
    }
    return nowMs >= next;
  }

  private stored(rule: AnomalyRule, key: string, m: SeriesModel): StoredModel {
    const state = {
      lastTs: m.lastTs,
      lastValue: m.lastValue,
      lastScore: m.lastScore,
      open: m.open,
      lastHighAt: m.lastHighAt,
      severity: m.severity,
      context: m.context,
    };
    return {
      seriesKey: key,
      labels: m.labels,
      model: { signature: this.signature(rule), detector: m.detector.toJSON(), state },
      trainedAt: m.trainedAt,
    };
  }

  /** Writes models MODELS_PER_SAVE at a time, pausing between groups. */
  private async save(
    rule: AnomalyRule,
    list: [string, SeriesModel][],
    nowMs: number,
    slice: TimeSlice,
  ): Promise<void> {
    for (let i = 0; i < list.length; i += MODELS_PER_SAVE) {
      const group = list.slice(i, i + MODELS_PER_SAVE);
      const stored: StoredModel[] = [];
      for (const [key, m] of group) {
        await slice.pause();
        stored.push(this.stored(rule, key, m));
      }
      await saveModels(this.deps.db, rule.name, stored);
      for (const [, m] of group) {
        m.dirty = false;
        m.savedAt = nowMs;
      }
    }
  }

  /**
   * Writes every unsaved model (on stop), within deadlineMs: models left unsaved then retrain
   * from their stored history on the next start, which is slower but loses no alert.
   */
  async flush(rulesByName: Map<string, AnomalyRule>, nowMs: number, deadlineMs = Infinity): Promise<void> {
    const slice = new TimeSlice();
    for (const [name, models] of this.rules) {
      const rule = rulesByName.get(name);
      if (!rule) continue;
      const dirty = [...models.series].filter(([, m]) => m.dirty);
      for (let i = 0; i < dirty.length; i += MODELS_PER_SAVE) {
        if (Date.now() >= deadlineMs) {
          this.deps.logger.warn('stopping before every anomaly model was saved', {
            rule: name,
            unsaved: dirty.length - i,
          });
          return;
        }
        await this.save(rule, dirty.slice(i, i + MODELS_PER_SAVE), nowMs, slice);
      }
    }
  }
}
