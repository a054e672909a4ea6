import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, Card, LoadingPlaceholder, Stack, TextLink, useStyles2 } from '@grafana/ui';
import { listBudgets, listIncidents } from '../api/alerting';
import { getLlmSummary, listTrainingRuns } from '../api/collector';
import type { Severity } from '../api/types';
import { BudgetProgress } from '../components/BudgetProgress/BudgetProgress';
import { ServiceErrorAlert } from '../components/ServiceErrorAlert/ServiceErrorAlert';
import { ServiceHealth } from '../components/ServiceHealth/ServiceHealth';
import { testIds } from '../components/testIds';
import { DASHBOARDS, prefixRoute, ROUTES } from '../constants';
import { useAsyncData } from '../hooks/useAsyncData';

const SEVERITIES: Severity[] = ['critical', 'warning', 'info'];
const badge = { critical: 'red', warning: 'orange', info: 'blue' } as const;

function startOfToday(now = new Date()): number {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
}

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId: string }) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section} data-testid={testId} aria-label={title}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function Overview() {
  const styles = useStyles2(getStyles);
  const incidents = useAsyncData(() => listIncidents({ status: 'active' }), []);
  const runs = useAsyncData(() => listTrainingRuns(), []);
  const spend = useAsyncData(() => getLlmSummary({ from: startOfToday(), to: Date.now() }), []);
  const budgets = useAsyncData(() => listBudgets(), []);

  return (
    <PluginPage>
      <div data-testid={testIds.overview.container} className={styles.grid}>
        <Section title="Service health" testId={testIds.overview.health}>
          <Stack direction="column" gap={1}>
            <ServiceHealth service="collector" />
            <ServiceHealth service="alerting" />
          </Stack>
        </Section>

        <Section title="Active incidents" testId={testIds.overview.incidents}>
          {incidents.loading && !incidents.value ? (
            <LoadingPlaceholder text="Loading incidents…" />
          ) : incidents.error ? (
            <ServiceErrorAlert error={incidents.error} title="Incidents unavailable" />
          ) : (
            <Stack direction="row" gap={2}>
              {SEVERITIES.map((s) => (
                <Badge
                  key={s}
                  color={badge[s]}
                  text={`${s}: ${(incidents.value ?? []).filter((i) => i.severity === s).length}`}
                />
              ))}
              <TextLink href={prefixRoute(ROUTES.Alerts)}>Open alerts</TextLink>
            </Stack>
          )}
        </Section>

        <Section title="LLM spend today" testId={testIds.overview.spend}>
          {spend.loading && !spend.value ? (
            <LoadingPlaceholder text="Loading spend…" />
          ) : spend.error ? (
            <ServiceErrorAlert error={spend.error} title="LLM summary unavailable" />
          ) : (
            <div>
              <div className={styles.big}>${(spend.value?.total_cost_usd ?? 0).toFixed(2)}</div>
              <div className={styles.muted}>
                {(spend.value?.models ?? []).length} models, {spend.value?.requests ?? 0} requests
              </div>
            </div>
          )}
        </Section>

        <Section title="Budgets" testId={testIds.overview.budgets}>
          {budgets.loading && !budgets.value ? (
            <LoadingPlaceholder text="Loading budgets…" />
          ) : budgets.error ? (
            <ServiceErrorAlert error={budgets.error} title="Budgets unavailable" />
          ) : (budgets.value ?? []).length === 0 ? (
            <p className={styles.muted}>No budgets defined (budgets: in the alerting config, or POST /v1/budgets).</p>
          ) : (
            (budgets.value ?? []).map((b) => <BudgetProgress key={b.name} budget={b} />)
          )}
        </Section>

        <Section title="Recent training runs" testId={testIds.overview.runs}>
          {runs.loading && !runs.value ? (
            <LoadingPlaceholder text="Loading runs…" />
          ) : runs.error ? (
            <ServiceErrorAlert error={runs.error} title="Training runs unavailable" />
          ) : (runs.value ?? []).length === 0 ? (
            <p className={styles.muted}>No training runs reported yet.</p>
          ) : (
            <ul className={styles.list}>
              {(runs.value ?? []).slice(0, 5).map((r) => (
                <li key={r.run_id}>
                  <TextLink href={`/d/${DASHBOARDS.training.uid}?var-run_id=${encodeURIComponent(r.run_id)}`} inline>
                    {r.run_id}
                  </TextLink>{' '}
                  <span className={styles.muted}>
                    {[
                      r.model_name,
                      r.status,
                      r.last_epoch !== undefined && r.last_epoch !== null ? `epoch ${r.last_epoch}` : undefined,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>{' '}
                  <TextLink href={`${prefixRoute(ROUTES.Assistant)}?run_id=${encodeURIComponent(r.run_id)}`} inline>
                    Ask the assistant
                  </TextLink>
                </li>
              ))}
            </ul>
          )}
        </Section>

        <Section title="Dashboards" testId={testIds.overview.dashboards}>
          <Stack direction="column" gap={1}>
            {Object.values(DASHBOARDS).map((d) => (
              <Card key={d.uid} href={`/d/${d.uid}`}>
                <Card.Heading>{d.title}</Card.Heading>
              </Card>
            ))}
          </Stack>
        </Section>
      </div>
    </PluginPage>
  );
}

export default Overview;

const getStyles = (theme: GrafanaTheme2) => ({
  grid: css({ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(360px, 1fr))', gap: theme.spacing(2) }),
  section: css({
    background: theme.colors.background.primary,
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(2),
  }),
  big: css({ fontSize: theme.typography.h2.fontSize }),
  muted: css({ color: theme.colors.text.secondary }),
  list: css({ listStyle: 'none', padding: 0, '& li': { marginBottom: theme.spacing(0.5) } }),
});
