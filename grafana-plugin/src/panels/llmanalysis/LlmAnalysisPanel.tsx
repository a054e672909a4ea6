import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2, PanelProps } from '@grafana/data';
import { config } from '@grafana/runtime';
import { Alert, Button, LinkButton, LoadingBar, Stack, useStyles2 } from '@grafana/ui';
import { getAssistantStatus } from '../../api/collector';
import type { AnalyzeRequest } from '../../api/types';
import { FindingCard } from '../../components/FindingCard/FindingCard';
import { Markdown } from '../../components/Markdown/Markdown';
import { ServiceErrorAlert } from '../../components/ServiceErrorAlert/ServiceErrorAlert';
import { testIds } from '../../components/testIds';
import { prefixRoute, ROUTES } from '../../constants';
import { useAnalysis } from '../../hooks/useAnalysis';
import { useAsyncData } from '../../hooks/useAsyncData';
import { defaultOptions, LlmAnalysisOptions } from './options';
import { seriesFromFrames, sharedRunId } from './seriesFromFrames';

type Props = PanelProps<LlmAnalysisOptions>;

/** Link to the Assistant with the panel's run and time range, and the question (if any) prefilled. */
function followUpHref(request: AnalyzeRequest): string {
  const p = new URLSearchParams();
  if (request.run_id) {
    p.set('run_id', request.run_id);
  }
  if (request.from !== undefined && request.to !== undefined) {
    p.set('from', String(request.from));
    p.set('to', String(request.to));
  }
  if (request.question) {
    p.set('q', request.question);
  }
  const query = p.toString();
  return `${config.appSubUrl ?? ''}${prefixRoute(ROUTES.Assistant)}${query ? `?${query}` : ''}`;
}

export function LlmAnalysisPanel({ data, options, timeRange, width, height }: Props) {
  const styles = useStyles2(getStyles);
  const opts = { ...defaultOptions, ...options };
  const series = useMemo(
    () => seriesFromFrames(data.series, Math.max(1, opts.maxSeries), Math.max(2, opts.maxPoints)),
    [data.series, opts.maxSeries, opts.maxPoints]
  );
  const from = timeRange.from.valueOf();
  const to = timeRange.to.valueOf();
  const request = useMemo<AnalyzeRequest | null>(
    () =>
      series.length === 0
        ? null
        : {
            kind: opts.kind,
            series,
            run_id: sharedRunId(series),
            from,
            to,
            question: opts.question.trim() || undefined,
          },
    [series, opts.kind, opts.question, from, to]
  );
  const analysis = useAnalysis(request, opts.trigger === 'refresh');
  const status = useAsyncData(() => getAssistantStatus(), []);
  const running = analysis.status === 'running';

  if (!request) {
    return (
      <div className={styles.empty} data-testid={testIds.panel.container} style={{ width, height }}>
        No data: add a query that returns time series (a time field and numeric values) to analyse.
      </div>
    );
  }

  return (
    <div className={styles.panel} data-testid={testIds.panel.container} style={{ width, height }}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        {running ? (
          <Button size="sm" variant="secondary" icon="square-shape" onClick={analysis.stop} data-testid={testIds.panel.stop}>
            Stop
          </Button>
        ) : (
          <Button size="sm" icon="ai-sparkle" onClick={analysis.run} data-testid={testIds.panel.run}>
            {analysis.status === 'idle' ? 'Analyse' : 'Analyse again'}
          </Button>
        )}
        <span className={styles.muted}>
          {series.length} series · {series.reduce((a, s) => a + s.points.length, 0)} points · {opts.kind}
        </span>
        {analysis.status === 'done' && (
          <LinkButton size="sm" variant="secondary" fill="text" icon="comment-alt" href={followUpHref(request)} data-testid={testIds.panel.followUp}>
            Ask a follow-up
          </LinkButton>
        )}
      </Stack>
      {running && <LoadingBar width={Math.max(100, width - 16)} />}

      {status.value && !status.value.configured && (
        <Alert title="No LLM configured" severity="info">
          The collector has no analysis LLM: findings are deterministic, without a narrative.
        </Alert>
      )}
      {analysis.status === 'error' && <ServiceErrorAlert error={analysis.error} title="Analysis failed" />}
      <ServiceErrorAlert llmError={analysis.llmError} severity="warning" />

      <div className={styles.scroll}>
        {analysis.findings.map((f, i) => (
          <FindingCard key={`${f.code}-${i}`} finding={f} />
        ))}
        {analysis.status === 'done' && analysis.findings.length === 0 && !analysis.error && (
          <p className={styles.muted}>No findings.</p>
        )}
        {analysis.narrative && <Markdown text={analysis.narrative} data-testid={testIds.panel.narrative} />}
        {analysis.llm && <div className={styles.muted}>Narrative by {analysis.llm.model}</div>}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1), overflow: 'hidden' }),
  scroll: css({ overflowY: 'auto', flex: 1, minHeight: 0 }),
  empty: css({ display: 'flex', alignItems: 'center', justifyContent: 'center', color: theme.colors.text.secondary, textAlign: 'center', padding: theme.spacing(2) }),
  muted: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
