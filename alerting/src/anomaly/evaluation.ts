import type { LabelledSeries } from './syntheticSeries';

export interface DetectionQuality {
  /** Alerts inside a labelled window / all alerts (1 when there are no alerts). */
  precision: number;
  /** Labelled windows with at least one alert / all windows (1 when there are none). */
  recall: number;
  f1: number;
  alerts: number;
  falseAlerts: number;
  /** False alerts per day of data. */
  falseAlertsPerDay: number;
}

/**
 * Event-level quality, the way an on-call engineer feels it: an anomaly is caught if any
 * alert falls in its window; every alert outside all windows is a false one. `alerts` are
 * point indices where an alert was raised (after suppression).
 */
export function detectionQuality(series: LabelledSeries, alerts: readonly number[]): DetectionQuality {
  const inside = (i: number) => series.anomalies.some((a) => i >= a.start && i <= a.end);
  const falseAlerts = alerts.filter((i) => !inside(i)).length;
  const caught = series.anomalies.filter((a) => alerts.some((i) => i >= a.start && i <= a.end)).length;
  const precision = alerts.length ? (alerts.length - falseAlerts) / alerts.length : 1;
  const recall = series.anomalies.length ? caught / series.anomalies.length : 1;
  const pts = series.points;
  const days = Math.max(1e-9, (pts[pts.length - 1].timestamp - pts[0].timestamp) / 86_400_000);
  return {
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    alerts: alerts.length,
    falseAlerts,
    falseAlertsPerDay: falseAlerts / days,
  };
}
