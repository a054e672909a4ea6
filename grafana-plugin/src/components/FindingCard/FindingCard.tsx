import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Badge, BadgeColor, useStyles2 } from '@grafana/ui';
import type { Finding, Severity } from '../../api/types';
import { testIds } from '../testIds';

const badgeColor: Record<Severity, BadgeColor> = { critical: 'red', warning: 'orange', info: 'blue' };

function formatEvidence(value: number | string | boolean | null): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
  }
  return String(value);
}

function seriesLabel(s: { name: string; labels: Record<string, string> }): string {
  const labels = Object.entries(s.labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return labels ? `${s.name}{${labels}}` : s.name;
}

/** One finding: severity-coloured edge and badge, what it means, and the numbers it rests on. */
export function FindingCard({ finding }: { finding: Finding }) {
  const styles = useStyles2(getStyles);
  const evidence = Object.entries(finding.evidence);
  return (
    <article
      className={`${styles.card} ${styles[finding.severity]}`}
      data-testid={testIds.finding}
      data-severity={finding.severity}
      aria-label={`${finding.severity}: ${finding.title}`}
    >
      <header className={styles.header}>
        <Badge text={finding.severity} color={badgeColor[finding.severity]} />
        <strong>{finding.title}</strong>
        <code className={styles.code}>{finding.code}</code>
      </header>
      {finding.detail && <p className={styles.detail}>{finding.detail}</p>}
      {evidence.length > 0 && (
        <dl className={styles.evidence}>
          {evidence.map(([k, v]) => (
            <React.Fragment key={k}>
              <dt>{k}</dt>
              <dd>{formatEvidence(v)}</dd>
            </React.Fragment>
          ))}
        </dl>
      )}
      {finding.series && finding.series.length > 0 && (
        <div className={styles.series}>{finding.series.map(seriesLabel).join(' · ')}</div>
      )}
    </article>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    borderLeft: `4px solid ${theme.colors.border.medium}`,
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 1.5),
    marginBottom: theme.spacing(1),
  }),
  critical: css({ borderLeftColor: theme.colors.error.main }),
  warning: css({ borderLeftColor: theme.colors.warning.main }),
  info: css({ borderLeftColor: theme.colors.info.main }),
  header: css({ display: 'flex', gap: theme.spacing(1), alignItems: 'center', flexWrap: 'wrap' }),
  code: css({ marginLeft: 'auto', color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
  detail: css({ margin: theme.spacing(0.5, 0) }),
  evidence: css({
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    fontSize: theme.typography.bodySmall.fontSize,
    margin: 0,
    '& dt': { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightRegular },
    '& dd': { margin: 0, fontFamily: theme.typography.fontFamilyMonospace },
  }),
  series: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
});
