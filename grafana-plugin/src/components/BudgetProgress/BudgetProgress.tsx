import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2, useTheme2 } from '@grafana/ui';
import type { Budget, BudgetInstance } from '../../api/types';
import { testIds } from '../testIds';

const amount = (v: number, unit: 'usd' | 'tokens') =>
  unit === 'usd' ? `$${v.toFixed(2)}` : `${Math.round(v).toLocaleString('en-US')} tokens`;

/** Progress bar colour by the thresholds reached: green, orange from the first, red at 100 %. */
function barColour(theme: GrafanaTheme2, i: BudgetInstance): string {
  if (i.percent >= 100) {
    return theme.colors.error.main;
  }
  return i.thresholds_crossed.length || i.forecast_over ? theme.colors.warning.main : theme.colors.success.main;
}

/** One budget: a progress bar per instance (highest spenders first) with spent, limit and forecast. Renders only. */
export function BudgetProgress({ budget }: { budget: Budget }) {
  const styles = useStyles2(getStyles);
  const theme = useTheme2();
  const s = budget.status;
  if (!s) {
    return null;
  }
  return (
    <div className={styles.budget}>
      <div className={styles.title}>
        <strong>{budget.name}</strong>{' '}
        <span className={styles.muted}>
          {budget.period} · limit {amount(s.limit, s.unit)}
          {s.instances_total > s.instances.length ? ` · top ${s.instances.length} of ${s.instances_total}` : ''}
        </span>
      </div>
      {s.instances.length === 0 ? <div className={styles.muted}>No spend this {budget.period}.</div> : null}
      {s.instances.map((i) => {
        const scope = Object.entries(i.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        const label = `${budget.name}${scope ? ` ${scope}` : ''}`;
        return (
          <div key={scope || budget.name} className={styles.row} data-testid={testIds.overview.budgetRow}>
            <div className={styles.rowText}>
              <span>{scope || 'all'}</span>
              <span>
                {amount(i.spent, s.unit)} ({Math.floor(i.percent)}%)
                {i.forecast !== null ? ` · forecast ${amount(i.forecast, s.unit)}` : ''}
                {i.forecast_over ? ' ⚠' : ''}
              </span>
            </div>
            <div
              className={styles.track}
              role="progressbar"
              aria-label={label}
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={Math.min(100, Math.round(i.percent))}
            >
              <div
                className={css({ width: `${Math.min(100, i.percent)}%`, height: '100%' })}
                style={{ background: barColour(theme, i) }}
              />
              {i.forecast !== null && i.forecast > i.spent ? (
                <div
                  className={styles.forecast}
                  title={`forecast ${amount(i.forecast, s.unit)}`}
                  style={{ left: `${Math.min(100, (100 * i.forecast) / s.limit)}%` }}
                />
              ) : null}
            </div>
          </div>
        );
      })}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  budget: css({ marginBottom: theme.spacing(2) }),
  title: css({ marginBottom: theme.spacing(0.5) }),
  muted: css({ color: theme.colors.text.secondary }),
  row: css({ marginBottom: theme.spacing(1) }),
  rowText: css({ display: 'flex', justifyContent: 'space-between', fontSize: theme.typography.bodySmall.fontSize }),
  track: css({
    position: 'relative',
    height: 8,
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    overflow: 'hidden',
  }),
  forecast: css({ position: 'absolute', top: 0, bottom: 0, width: 2, background: theme.colors.text.primary }),
});
