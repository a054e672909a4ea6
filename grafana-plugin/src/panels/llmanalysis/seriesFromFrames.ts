import { DataFrame, FieldType, getFieldDisplayName } from '@grafana/data';
import type { Point, SeriesInput } from '../../api/types';

/**
 * Reduces points to at most `max` by averaging equal-count buckets (timestamp of the bucket's
 * last point). The final point is always kept as is: analysis cares most about "now".
 */
export function downsample(points: Point[], max: number): Point[] {
  if (max < 2 || points.length <= max) {
    return points;
  }
  const last = points[points.length - 1];
  const body = points.slice(0, -1);
  const buckets = max - 1;
  const out: Point[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * body.length) / buckets);
    const end = Math.floor(((b + 1) * body.length) / buckets);
    if (end <= start) {
      continue;
    }
    let sum = 0;
    let n = 0;
    for (let i = start; i < end; i++) {
      if (Number.isFinite(body[i][1])) {
        sum += body[i][1];
        n++;
      }
    }
    // A bucket of only NaN/Infinity stays non-finite: a diverged loss is data, not a gap.
    out.push([body[end - 1][0], n > 0 ? sum / n : body[end - 1][1]]);
  }
  out.push(last);
  return out;
}

/**
 * Turns the panel's data frames (any datasource: Prometheus, PostgreSQL, TestData…) into the
 * compact `{name, labels, points}` series the analysis API takes: one series per numeric field
 * with a time field beside it. The metric name comes from the `__name__` label when present,
 * otherwise from the field's display name.
 */
export function seriesFromFrames(frames: DataFrame[], maxSeries: number, maxPoints: number): SeriesInput[] {
  const series: SeriesInput[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    for (const field of frame.fields) {
      if (field.type !== FieldType.number) {
        continue;
      }
      const { __name__, ...labels } = field.labels ?? {};
      const name = __name__ ?? (getFieldDisplayName(field, frame, frames) || frame.name || field.name);
      const points: Point[] = [];
      for (let i = 0; i < frame.length; i++) {
        const ts = Number(time.values[i]);
        const v = field.values[i];
        if (Number.isFinite(ts) && typeof v === 'number') {
          points.push([ts, v]);
        }
      }
      if (points.length > 0) {
        series.push({ name, labels, points: downsample(points, maxPoints) });
      }
      if (series.length >= maxSeries) {
        return series;
      }
    }
  }
  return series;
}

/** The run all series share, if they do: lets the collector use run-level context. */
export function sharedRunId(series: SeriesInput[]): string | undefined {
  const ids = new Set(series.map((s) => s.labels.run_id));
  return ids.size === 1 ? [...ids][0] : undefined;
}
