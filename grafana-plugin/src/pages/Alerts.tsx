import React, { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { config, PluginPage } from '@grafana/runtime';
import { Alert, Button, Field, RadioButtonGroup, Stack } from '@grafana/ui';
import { ackIncident, createSilence, listIncidents, listRules } from '../api/alerting';
import { describeError } from '../api/serviceError';
import type { Incident } from '../api/types';
import { IncidentsTable } from '../components/IncidentsTable/IncidentsTable';
import { ServiceErrorAlert } from '../components/ServiceErrorAlert/ServiceErrorAlert';
import { buildSilence } from '../components/SilenceButton/silenceRequest';
import { testIds } from '../components/testIds';
import { useAsyncData } from '../hooks/useAsyncData';

const STATUS_OPTIONS = [
  { label: 'Active', value: 'active' },
  { label: 'Acknowledged', value: 'acknowledged' },
  { label: 'Resolved', value: 'resolved' },
  { label: 'All', value: '' },
];
const SEVERITY_OPTIONS = [
  { label: 'All', value: '' },
  { label: 'Critical', value: 'critical' },
  { label: 'Warning', value: 'warning' },
  { label: 'Info', value: 'info' },
];

function currentUser(): string {
  return config.bootData?.user?.login || 'grafana';
}

function Alerts() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'active';
  const severity = params.get('severity') ?? '';
  const ruleName = params.get('rule') ?? '';
  const incidents = useAsyncData(() => listIncidents({ status, severity }), [status, severity]);
  const rules = useAsyncData(() => listRules(), []);
  const [busyId, setBusyId] = useState<string>();
  const [notice, setNotice] = useState<{ ok: boolean; text: string }>();

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) {
      next.set(key, value);
    } else {
      next.delete(key);
    }
    if (key === 'status' && !value) {
      next.set('status', '');
    }
    setParams(next);
  };

  const onAck = async (incident: Incident) => {
    setBusyId(incident.id);
    try {
      await ackIncident(incident.id, currentUser());
      setNotice({ ok: true, text: `Acknowledged ${incident.rule_name ?? incident.id}` });
      incidents.reload();
    } catch (e) {
      setNotice({ ok: false, text: `Ack failed: ${describeError(e)}` });
    } finally {
      setBusyId(undefined);
    }
  };

  const onSilence = async (incident: Incident, durationMs: number, comment: string) => {
    setBusyId(incident.id);
    try {
      await createSilence(buildSilence(incident, durationMs, comment, currentUser()));
      setNotice({ ok: true, text: `Silenced ${incident.rule_name ?? incident.id} for ${Math.round(durationMs / 60000)} min` });
      incidents.reload();
    } catch (e) {
      setNotice({ ok: false, text: `Silence failed: ${describeError(e)}` });
    } finally {
      setBusyId(undefined);
    }
  };

  const rows = (incidents.value ?? []).filter((i) => !ruleName || i.rule_name === ruleName);
  const rule = (rules.value ?? []).find((r) => r.name === ruleName);
  const ruleMetrics = Object.fromEntries((rules.value ?? []).flatMap((r) => (r.metric ? [[r.name, r.metric]] : [])));

  return (
    <PluginPage>
      <div data-testid={testIds.alerts.container}>
        <Stack direction="row" gap={2} wrap="wrap" alignItems="flex-end">
          <Field label="Status">
            <RadioButtonGroup options={STATUS_OPTIONS} value={status} onChange={(v) => setParam('status', v ?? '')} />
          </Field>
          <Field label="Severity">
            <RadioButtonGroup options={SEVERITY_OPTIONS} value={severity} onChange={(v) => setParam('severity', v ?? '')} />
          </Field>
          <Field label="">
            <Button variant="secondary" icon="sync" onClick={incidents.reload}>
              Refresh
            </Button>
          </Field>
        </Stack>
        {ruleName && (
          <Alert title={`Rule ${ruleName}`} severity="info" onRemove={() => setParam('rule', '')}>
            {rule ? <pre>{JSON.stringify(rule, null, 2)}</pre> : rules.error ? describeError(rules.error) : 'Only incidents of this rule are shown.'}
          </Alert>
        )}
        {notice && <Alert title={notice.text} severity={notice.ok ? 'success' : 'error'} onRemove={() => setNotice(undefined)} />}
        {incidents.error ? (
          <ServiceErrorAlert error={incidents.error} title="Incidents unavailable" />
        ) : incidents.loading && !incidents.value ? (
          <p>Loading incidents…</p>
        ) : (
          <IncidentsTable incidents={rows} onAck={onAck} onSilence={onSilence} busyId={busyId} ruleMetrics={ruleMetrics} />
        )}
      </div>
    </PluginPage>
  );
}

export default Alerts;
