import React, { FormEvent, useState } from 'react';
import { css } from '@emotion/css';
import { AppPluginMeta, GrafanaTheme2, PluginConfigPageProps } from '@grafana/data';
import { Alert, Button, Field, FieldSet, Input, SecretInput, Stack, useStyles2 } from '@grafana/ui';
import { getAssistantStatus, getHealth } from '../../api/collector';
import { describeError, type ServiceName } from '../../api/serviceError';
import type { AppSecureSettings, AppSettings, SecureSettingKey } from '../../types';
import { testIds } from '../testIds';
import { savePluginSettings } from './settingsApi';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppSettings>> {}

interface CheckResult {
  service: ServiceName;
  ok: boolean;
  message: string;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks both services through the plugin proxy, i.e. with the saved URLs and tokens. */
async function testConnection(): Promise<CheckResult[]> {
  const services: ServiceName[] = ['collector', 'alerting'];
  const results = await Promise.all(
    services.map(async (service) => {
      try {
        const health = await getHealth(service);
        return { service, ok: true, message: `${service}: reachable (${health.status ?? 'ok'})` };
      } catch (e) {
        return { service, ok: false, message: `${service}: ${describeError(e)}` };
      }
    })
  );
  if (results[0].ok) {
    try {
      const status = await getAssistantStatus();
      results[0].message += status.configured
        ? `, assistant model ${status.model ?? 'configured'}`
        : ', no analysis LLM configured (deterministic findings only)';
    } catch (e) {
      // Health passed but the token may be wrong: /health needs none, the API does.
      results[0] = { service: 'collector', ok: false, message: `collector: ${describeError(e)}` };
    }
  }
  return results;
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const styles = useStyles2(getStyles);
  const { enabled, pinned, jsonData, secureJsonFields } = plugin.meta;
  const [urls, setUrls] = useState<Required<AppSettings>>({
    collectorUrl: jsonData?.collectorUrl ?? '',
    alertingUrl: jsonData?.alertingUrl ?? '',
  });
  const [secrets, setSecrets] = useState<AppSecureSettings>({});
  const [configured, setConfigured] = useState<Record<SecureSettingKey, boolean>>({
    collectorToken: Boolean(secureJsonFields?.collectorToken),
    alertingToken: Boolean(secureJsonFields?.alertingToken),
  });
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string>();
  const [saved, setSaved] = useState(false);
  const [testing, setTesting] = useState(false);
  const [results, setResults] = useState<CheckResult[]>();

  const urlError = (v: string) => (v && !isHttpUrl(v) ? 'Enter an http:// or https:// URL' : undefined);
  const invalid = Boolean(urlError(urls.collectorUrl) || urlError(urls.alertingUrl)) || !urls.collectorUrl;

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (invalid) {
      return;
    }
    setSaving(true);
    setSaveError(undefined);
    // Send a secret only when typed or reset; an untouched configured secret stays as stored.
    const secureJsonData: AppSecureSettings = {};
    (['collectorToken', 'alertingToken'] as const).forEach((key) => {
      if (secrets[key] !== undefined || !configured[key]) {
        secureJsonData[key] = secrets[key] ?? '';
      }
    });
    try {
      await savePluginSettings(plugin.meta.id, {
        enabled: enabled ?? true,
        pinned: pinned ?? true,
        jsonData: { collectorUrl: urls.collectorUrl.trim(), alertingUrl: urls.alertingUrl.trim() },
        secureJsonData: Object.keys(secureJsonData).length ? secureJsonData : undefined,
      });
      setSaved(true);
      setConfigured({
        collectorToken: configured.collectorToken || Boolean(secrets.collectorToken),
        alertingToken: configured.alertingToken || Boolean(secrets.alertingToken),
      });
      setSecrets({});
      // Grafana hands plugin meta to pages only on load, so the new settings need a reload.
      window.location.reload();
    } catch (e) {
      setSaveError(describeError(e));
    } finally {
      setSaving(false);
    }
  };

  const onTest = async () => {
    setTesting(true);
    setResults(undefined);
    try {
      setResults(await testConnection());
    } finally {
      setTesting(false);
    }
  };

  const secretField = (key: SecureSettingKey, label: string, testId: string) => (
    <Field label={label} description="Bearer token; stored encrypted by Grafana and never sent back to the browser">
      <SecretInput
        id={`config-${key}`}
        width={60}
        data-testid={testId}
        value={secrets[key] ?? ''}
        isConfigured={configured[key]}
        placeholder="Token from AIHUB_TOKENS"
        onChange={(e) => setSecrets({ ...secrets, [key]: e.currentTarget.value })}
        onReset={() => {
          setConfigured({ ...configured, [key]: false });
          setSecrets({ ...secrets, [key]: '' });
        }}
      />
    </Field>
  );

  return (
    <form onSubmit={onSubmit} className={styles.form}>
      <FieldSet label="Collector">
        <Field label="Collector URL" description="Where Grafana's server reaches the collector, e.g. http://127.0.0.1:4880" invalid={Boolean(urlError(urls.collectorUrl))} error={urlError(urls.collectorUrl)} required>
          <Input
            id="config-collector-url"
            width={60}
            data-testid={testIds.appConfig.collectorUrl}
            value={urls.collectorUrl}
            placeholder="http://127.0.0.1:4880"
            onChange={(e) => setUrls({ ...urls, collectorUrl: e.currentTarget.value })}
          />
        </Field>
        {secretField('collectorToken', 'Collector token', testIds.appConfig.collectorToken)}
      </FieldSet>
      <FieldSet label="Alerting">
        <Field label="Alerting URL" description="e.g. http://127.0.0.1:4881" invalid={Boolean(urlError(urls.alertingUrl))} error={urlError(urls.alertingUrl)}>
          <Input
            id="config-alerting-url"
            width={60}
            data-testid={testIds.appConfig.alertingUrl}
            value={urls.alertingUrl}
            placeholder="http://127.0.0.1:4881"
            onChange={(e) => setUrls({ ...urls, alertingUrl: e.currentTarget.value })}
          />
        </Field>
        {secretField('alertingToken', 'Alerting token', testIds.appConfig.alertingToken)}
      </FieldSet>
      {saveError && (
        <Alert title="Saving failed" severity="error">
          {saveError}
        </Alert>
      )}
      {saved && <Alert title="Settings saved" severity="success" />}
      <Stack direction="row" gap={1}>
        <Button type="submit" disabled={invalid || saving} data-testid={testIds.appConfig.save}>
          {saving ? 'Saving…' : 'Save settings'}
        </Button>
        <Button type="button" variant="secondary" onClick={onTest} disabled={testing} data-testid={testIds.appConfig.testConnection}>
          {testing ? 'Testing…' : 'Test connection'}
        </Button>
      </Stack>
      {results && (
        <div data-testid={testIds.appConfig.testResult} className={styles.results}>
          {results.map((r) => (
            <Alert key={r.service} title={r.message} severity={r.ok ? 'success' : 'error'} />
          ))}
          <div className={styles.hint}>The test uses the saved settings: save first after a change.</div>
        </div>
      )}
    </form>
  );
};

export default AppConfig;

const getStyles = (theme: GrafanaTheme2) => ({
  form: css({ maxWidth: 800 }),
  results: css({ marginTop: theme.spacing(2) }),
  hint: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});
