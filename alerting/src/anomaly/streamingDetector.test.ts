import { createStreamingDetector, restoreStreamingDetector } from './streamingDetector';
import { spikes } from './syntheticSeries';
import type { Point } from './features';

const T0 = Date.UTC(2026, 0, 5);
const minute = (i: number) => T0 + i * 60_000;

describe('streaming detector', () => {
  const series = spikes(31, 1200);

  it('scores 0 during warm-up and stays in [0, 1] afterwards', () => {
    // Warm-up lasts min_history points and as long as the novelty grid is being learned.
    const d = createStreamingDetector({ minHistory: 100, novelty: { learnPoints: 100 } });
    const results = series.points.map((p) => d.update(p));
    expect(results.slice(0, 100).every((r) => r.score === 0 && r.warmingUp)).toBe(true);
    expect(results.slice(100).every((r) => r.score >= 0 && r.score <= 1 && !r.warmingUp)).toBe(true);
    expect(d.trained).toBe(true);
  });

  it('never looks ahead: a prefix scores the same whatever follows it', () => {
    const full = createStreamingDetector();
    const prefix = createStreamingDetector();
    const a = series.points.map((p) => full.update(p).score);
    const b = series.points.slice(0, 700).map((p) => prefix.update(p).score);
    expect(a.slice(0, 700)).toEqual(b);
  });

  it('alerts on injected spikes with high scores and scores ordinary points low', () => {
    const d = createStreamingDetector({ restPoints: 20 });
    const results = series.points.map((p) => d.update(p));
    // After the 300 learning points; a spike inside the rest period of the previous one, or a
    // repeat of a step the series has already made, is not novel, hence "most".
    const spikeScores = series.anomalies.filter((a) => a.start >= 300).map((a) => results[a.start].score);
    const ordinary = results.filter(
      (_, i) => i >= 300 && !series.anomalies.some((a) => i >= a.start && i <= a.end + 5),
    );
    expect(spikeScores.filter((s) => s > 0.25).length).toBeGreaterThanOrEqual(0.6 * spikeScores.length);
    const sorted = ordinary.map((r) => r.score).sort((x, y) => x - y);
    expect(sorted[Math.floor(0.95 * sorted.length)]).toBeLessThan(0.2);
  });

  it('a flat series scores 0 until it deviates, and the deviation scores 1', () => {
    const d = createStreamingDetector({ minHistory: 50 });
    const flat: Point[] = Array.from({ length: 300 }, (_, i) => ({ timestamp: minute(i), value: 7 }));
    expect(flat.map((p) => d.update(p).score).every((s) => s === 0)).toBe(true);
    const jump = d.update({ timestamp: minute(300), value: 7.5 });
    expect(jump.score).toBe(1);
    expect(jump.alert).toBe(true);
    expect(Number.isFinite(jump.components.robustZ)).toBe(false);
  });

  it('a counter that mostly sits at 0 does not make every 1 maximally surprising', () => {
    const d = createStreamingDetector();
    const results = Array.from({ length: 600 }, (_, i) =>
      d.update({ timestamp: minute(i), value: i % 7 === 0 ? 1 : 0 }),
    );
    expect(results.filter((r) => r.alert)).toHaveLength(0);
  });

  it('after a novelty the score rests: one event, one alert', () => {
    const d = createStreamingDetector({ restPoints: 20 });
    series.points.slice(0, 400).forEach((p) => d.update(p));
    const t = (i: number) => series.points[399].timestamp + i * 60_000;
    const first = d.update({ timestamp: t(1), value: 200 });
    expect(first.score).toBe(1);
    const during = Array.from({ length: 20 }, (_, i) => d.update({ timestamp: t(2 + i), value: -200 + i }));
    expect(during.every((r) => r.score === 0)).toBe(true);
    expect(during[0].components.novelty).toBeGreaterThan(0); // seen, but held
  });

  it('persists and reloads: a restored detector continues exactly like the original', () => {
    const original = createStreamingDetector({ retrainEvery: 300 });
    series.points.slice(0, 600).forEach((p) => original.update(p));
    const state = JSON.parse(JSON.stringify(original.toJSON()));
    const restored = restoreStreamingDetector(state);
    const rest = series.points.slice(600);
    const a = rest.map((p) => original.update(p));
    const b = rest.map((p) => restored.update(p));
    expect(b.map((r) => r.score)).toEqual(a.map((r) => r.score));
    expect(b.map((r) => r.alert)).toEqual(a.map((r) => r.alert));
    expect(JSON.stringify(state).length).toBeLessThan(600_000);
  });

  it('keeps its persisted state under 200 KB', () => {
    const d = createStreamingDetector({ retrainEvery: 300 });
    series.points.slice(0, 1200).forEach((p) => d.update(p));
    expect(JSON.stringify(d.toJSON()).length).toBeLessThan(200_000);
  });

  it('a series that repeats itself daily (a square wave) raises no alert once a day of history exists', () => {
    const d = createStreamingDetector();
    const FIVE_MIN = 5 * 60_000;
    const alertsOnDay: number[] = [];
    for (let i = 0; i < 6 * 288; i++) {
      const t = T0 + i * FIVE_MIN;
      const hour = new Date(t).getUTCHours();
      const r = d.update({ timestamp: t, value: hour >= 9 && hour < 18 ? 80 : 20 });
      if (r.alert) alertsOnDay.push(Math.floor(i / 288));
    }
    expect(alertsOnDay.filter((day) => day >= 2)).toEqual([]);
  });

  it('reports one high score where a lasting anomaly starts, then zeros while it lasts', () => {
    const d = createStreamingDetector({ minHistory: 50, restPoints: 50 });
    const noise = (i: number) => 10 + Math.sin(i * 1.7) + ((i * 7919) % 11) / 11;
    for (let i = 0; i < 300; i++) d.update({ timestamp: minute(i), value: noise(i) });
    const shifted = Array.from({ length: 20 }, (_, k) =>
      d.update({ timestamp: minute(300 + k), value: 30 + noise(k) }),
    );
    expect(shifted[0].score).toBeGreaterThan(0.5);
    expect(shifted.slice(1).filter((r) => r.score >= shifted[0].score)).toHaveLength(0);
    expect(shifted.filter((r) => r.alert)).toHaveLength(1);
  });

  it('suppresses a second alert within the suppression window', () => {
    // No rest period here, so the second point scores high and only the time window holds it.
    const d = createStreamingDetector({
      minHistory: 50,
      suppressionMs: 30 * 60_000,
      restPoints: 0,
      novelty: { learnPoints: 50 },
    });
    const flat: Point[] = Array.from({ length: 100 }, (_, i) => ({ timestamp: minute(i), value: 1 }));
    flat.forEach((p) => d.update(p));
    expect(d.update({ timestamp: minute(100), value: 50 }).alert).toBe(true);
    for (let i = 101; i < 110; i++) d.update({ timestamp: minute(i), value: 1 });
    const again = d.update({ timestamp: minute(110), value: -50 });
    expect(again.score).toBeGreaterThanOrEqual(0.4);
    expect(again.alert).toBe(false);
  });

  it('reports severity from the series’ own percentiles with context', () => {
    const d = createStreamingDetector({ minHistory: 50 });
    series.points.slice(0, 400).forEach((p) => d.update(p));
    const high = d.update({ timestamp: series.points[400].timestamp, value: 80 });
    expect(high.severity).toBe('critical');
    expect(high.context.percentile).toBe(100);
    expect(high.context.historicalMean).toBeCloseTo(50, 0);
  });

  it('rejects bad options, out-of-order points and corrupt state with a message', () => {
    expect(() => createStreamingDetector({ threshold: 2 })).toThrow(/threshold must be in \(0, 1\]/);
    expect(() => createStreamingDetector({ minHistory: 0 })).toThrow(/minHistory/);
    const d = createStreamingDetector();
    d.update({ timestamp: minute(5), value: 1 });
    expect(() => d.update({ timestamp: minute(4), value: 1 })).toThrow(/earlier than the previous point/);
    expect(() => d.update({ timestamp: minute(6), value: NaN })).toThrow(/finite/);
    expect(() =>
      restoreStreamingDetector({ kind: 'streaming-detector', version: 1, timestamps: [1], values: [] }),
    ).toThrow(/equal length/);
    expect(() => restoreStreamingDetector(null)).toThrow(/not a version 1 or 2 state/);
  });
});
