import React, { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Badge, BadgeColor, LinkButton, Select, Stack, useStyles2 } from '@grafana/ui';
import { listTrainingRuns, streamAnalysis } from '../api/collector';
import type { Finding } from '../api/types';
import { FindingCard } from '../components/FindingCard/FindingCard';
import { LiveChart, seriesOf } from '../components/LiveChart/LiveChart';
import { ServiceErrorAlert } from '../components/ServiceErrorAlert/ServiceErrorAlert';
import { testIds } from '../components/testIds';
import { prefixRoute, ROUTES } from '../constants';
import { useAsyncData } from '../hooks/useAsyncData';
import { useLiveTraining } from '../hooks/useLiveTraining';

const STATUS_COLOUR: Record<string, BadgeColor> = {
  running: 'green',
  finished: 'blue',
  failed: 'red',
  stale: 'orange',
};
/** How often run status and findings are refreshed while the page is open. */
const REFRESH_MS = 10_000;

function useTicker(ms: number): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
  return tick;
}

/** The run's current deterministic findings (the stream's `findings` event; the narrative is not waited for). */
function useFindings(runId: string | undefined, tick: number): Finding[] {
  const [found, setFound] = useState<{ runId?: string; findings: Finding[] }>({ findings: [] });
  useEffect(() => {
    if (!runId) {
      return;
    }
    const abort = new AbortController();
    streamAnalysis(
      { kind: 'training', series: [], run_id: runId },
      {
        onFindings: (f) => {
          setFound({ runId, findings: f.filter((x) => x.code !== 'healthy') });
          abort.abort();
        },
      },
      abort.signal
    ).catch(() => undefined);
    return () => abort.abort();
  }, [runId, tick]);
  return found.runId === runId ? found.findings : [];
}

/** Live training: a run's losses, accuracies and learning rate drawn as points arrive. */
function LiveTraining() {
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const runId = params.get('run_id') ?? undefined;
  const tick = useTicker(REFRESH_MS);
  const runs = useAsyncData(() => listTrainingRuns(), [tick]);
  const live = useLiveTraining(runId);
  const findings = useFindings(runId, Math.floor(tick / 3));
  const run = (runs.value ?? []).find((r) => r.run_id === runId);
  const status = run?.status ?? 'unknown';

  return (
    <PluginPage>
      <div data-testid={testIds.liveTraining.container}>
        <Stack direction="row" gap={2} alignItems="center">
          <div className={styles.picker}>
            <Select
              aria-label="Training run"
              placeholder="Choose a run"
              value={runId ?? null}
              options={(runs.value ?? []).map((r) => ({ label: r.run_id, value: r.run_id }))}
              onChange={(o) => setParams(o?.value ? { run_id: o.value } : {})}
            />
          </div>
          {runId ? (
            <>
              <span data-testid={testIds.liveTraining.status}>
                <Badge color={STATUS_COLOUR[status] ?? 'purple'} text={status} />
              </span>
              <span className={styles.muted} data-testid={testIds.liveTraining.connection} data-state={live.state}>
                {live.state === 'live' ? 'live' : live.state === 'reconnecting' ? 'reconnecting…' : 'connecting…'} ·{' '}
                {live.points.length} points
              </span>
              <LinkButton
                data-testid={testIds.liveTraining.assistant}
                variant="secondary"
                icon="comment-alt"
                href={`${prefixRoute(ROUTES.Assistant)}?run_id=${encodeURIComponent(runId)}`}
              >
                Ask the assistant about this run
              </LinkButton>
            </>
          ) : null}
        </Stack>
        {runs.error ? <ServiceErrorAlert error={runs.error} title="Training runs unavailable" /> : null}
        {!runId ? (
          <p className={styles.muted}>Choose a run to follow its metrics live.</p>
        ) : (
          <div className={styles.grid}>
            <LiveChart title="Loss" series={seriesOf(live.points, ['train_loss', 'val_loss'])} />
            <LiveChart title="Accuracy" series={seriesOf(live.points, ['train_accuracy', 'val_accuracy'])} />
            <LiveChart title="Learning rate" series={seriesOf(live.points, ['learning_rate'])} log />
            <section data-testid={testIds.liveTraining.findings} aria-label="Findings">
              <h4>Findings</h4>
              {findings.length === 0 ? <p className={styles.muted}>Nothing found so far.</p> : null}
              {findings.map((f, i) => (
                <FindingCard key={`${f.code}-${i}`} finding={f} />
              ))}
            </section>
          </div>
        )}
      </div>
    </PluginPage>
  );
}

export default LiveTraining;

const getStyles = (theme: GrafanaTheme2) => ({
  picker: css({ minWidth: 280 }),
  muted: css({ color: theme.colors.text.secondary }),
  grid: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(480px, 1fr))',
    gap: theme.spacing(2),
    marginTop: theme.spacing(2),
  }),
});
