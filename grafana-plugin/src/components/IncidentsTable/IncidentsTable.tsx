import React from 'react';
import { css } from '@emotion/css';
import { dateTimeFormat, GrafanaTheme2 } from '@grafana/data';
import { Badge, BadgeColor, Button, Stack, TextLink, useStyles2 } from '@grafana/ui';
import type { Incident, Severity } from '../../api/types';
import { dashboardForMetric, prefixRoute, ROUTES } from '../../constants';
import { SilenceButton } from '../SilenceButton/SilenceButton';
import { testIds } from '../testIds';

const severityColor: Record<Severity, BadgeColor> = { critical: 'red', warning: 'orange', info: 'blue' };

interface Props {
  incidents: Incident[];
  onAck: (incident: Incident) => void;
  onSilence: (incident: Incident, durationMs: number, comment: string) => void;
  busyId?: string;
  /** Rule name → the metric it watches, to link each incident to the dashboard that shows it. */
  ruleMetrics?: Record<string, string>;
}

function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  return dateTimeFormat(typeof value === 'number' ? value : Date.parse(value));
}

function metricOf(incident: Incident, ruleMetrics: Record<string, string>): string | undefined {
  const m = (incident as Record<string, unknown>).metric;
  if (typeof m === 'string') {
    return m;
  }
  return (incident.rule_name && ruleMetrics[incident.rule_name]) || incident.labels.__name__;
}

/** Incidents with their labels, state and the actions an on-call engineer needs. */
export function IncidentsTable({ incidents, onAck, onSilence, busyId, ruleMetrics = {} }: Props) {
  const styles = useStyles2(getStyles);
  if (incidents.length === 0) {
    return <p>No incidents match these filters.</p>;
  }
  return (
    <table className={styles.table} data-testid={testIds.alerts.table}>
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Alert</th>
          <th scope="col">Labels</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((incident) => {
          const acked = Boolean(incident.acknowledged_at) || incident.status === 'acknowledged';
          const dashboard = dashboardForMetric(metricOf(incident, ruleMetrics));
          const summary = incident.annotations.summary;
          return (
            <tr key={incident.id} data-testid={testIds.alerts.row} data-incident-id={incident.id}>
              <td>
                <Badge text={incident.severity} color={severityColor[incident.severity]} />
              </td>
              <td>
                <div>{incident.rule_name ?? incident.id}</div>
                {summary && <div className={styles.summary}>{summary}</div>}
              </td>
              <td className={styles.labels}>
                {Object.entries(incident.labels)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}
              </td>
              <td>
                {incident.status}
                {acked && <div className={styles.summary}>acknowledged{incident.acknowledged_by ? ` by ${incident.acknowledged_by}` : ''}</div>}
              </td>
              <td>{formatTime(incident.started_at)}</td>
              <td>
                <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
                  <Button
                    size="sm"
                    variant="secondary"
                    icon="check"
                    disabled={acked || busyId === incident.id || incident.status === 'resolved'}
                    onClick={() => onAck(incident)}
                    data-testid={testIds.alerts.ack}
                    aria-label={`Acknowledge ${incident.rule_name ?? incident.id}`}
                  >
                    {acked ? 'Acked' : 'Ack'}
                  </Button>
                  <SilenceButton
                    disabled={busyId === incident.id}
                    onSilence={(ms, comment) => onSilence(incident, ms, comment)}
                  />
                  {incident.rule_name && (
                    <TextLink href={`${prefixRoute(ROUTES.Alerts)}?rule=${encodeURIComponent(incident.rule_name)}`} inline={false}>
                      Rule
                    </TextLink>
                  )}
                  <TextLink href={`/d/${dashboard.uid}`} inline={false}>
                    Dashboard
                  </TextLink>
                </Stack>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    '& th, & td': { padding: theme.spacing(1), borderBottom: `1px solid ${theme.colors.border.weak}`, textAlign: 'left', verticalAlign: 'top' },
    '& th': { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  labels: css({ fontFamily: theme.typography.fontFamilyMonospace, fontSize: theme.typography.bodySmall.fontSize }),
  summary: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
