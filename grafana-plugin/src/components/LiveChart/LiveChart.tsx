import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { TrainingPoint } from '../../api/trainingStream';
import { testIds } from '../testIds';

export interface ChartSeries {
  metric: string;
  /** [x, y] in arrival order (x: step, else epoch, else time). */
  points: Array<[number, number]>;
}

/** The x of a point: its step, else its epoch, else its time. */
export const xOf = (p: TrainingPoint) => p.step ?? p.epoch ?? p.time;

/** The series of the named metrics among the points (a metric a point lacks is skipped there). */
export function seriesOf(points: TrainingPoint[], metrics: string[]): ChartSeries[] {
  return metrics
    .map((metric) => ({
      metric,
      points: points.filter((p) => metric in p.metrics).map((p): [number, number] => [xOf(p), p.metrics[metric]]),
    }))
    .filter((s) => s.points.length > 0);
}

const W = 560;
const H = 180;
const PAD = 28;

/**
 * A small SVG line chart of live series: one polyline per metric, scaled to what is there.
 * Each line carries its point count and x values (data-*), which is what tests read.
 */
export function LiveChart({ title, series, log = false }: { title: string; series: ChartSeries[]; log?: boolean }) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const colours = theme.visualization.palette.map((c) => theme.visualization.getColorByName(c));
  const all = series.flatMap((s) => s.points);
  const y = (v: number) => (log ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => y(p[1]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (v: number) => PAD + ((v - x0) / (x1 - x0 || 1)) * (W - 2 * PAD);
  const sy = (v: number) => H - PAD - ((y(v) - y0) / (y1 - y0 || 1)) * (H - 2 * PAD);
  return (
    <figure className={styles.figure} data-testid={testIds.liveTraining.chart} aria-label={title}>
      <figcaption>{title}</figcaption>
      {all.length === 0 ? (
        <div className={styles.empty}>Waiting for points…</div>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={`${title} chart`}>
          <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke={theme.colors.border.medium} />
          <text x={PAD} y={H - 8} fontSize="10" fill={theme.colors.text.secondary}>
            {x0}
          </text>
          <text x={W - PAD} y={H - 8} fontSize="10" textAnchor="end" fill={theme.colors.text.secondary}>
            {x1}
          </text>
          {series.map((s, i) => (
            <polyline
              key={s.metric}
              data-testid={testIds.liveTraining.line}
              data-metric={s.metric}
              data-count={s.points.length}
              data-xs={s.points.map((p) => p[0]).join(',')}
              fill="none"
              strokeWidth={1.5}
              stroke={colours[i % colours.length]}
              points={s.points.map(([px, py]) => `${sx(px).toFixed(1)},${sy(py).toFixed(1)}`).join(' ')}
            />
          ))}
        </svg>
      )}
      <div className={styles.legend}>
        {series.map((s, i) => (
          <span key={s.metric} style={{ color: colours[i % colours.length] }}>
            ■ {s.metric} {s.points.length ? s.points[s.points.length - 1][1].toPrecision(4) : ''}
          </span>
        ))}
      </div>
    </figure>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  figure: css({ margin: 0, padding: theme.spacing(1), border: `1px solid ${theme.colors.border.weak}` }),
  empty: css({ color: theme.colors.text.secondary, padding: theme.spacing(2) }),
  legend: css({ display: 'flex', gap: theme.spacing(2), fontSize: theme.typography.bodySmall.fontSize }),
});
