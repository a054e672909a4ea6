/**
 * The browser harness's stand-in for Grafana's frontend: bundles the modules Grafana shares
 * with plugins (react, @grafana/data, @grafana/ui, @grafana/runtime, …), registers each with
 * SystemJS under the bare name plugins import, and mounts a plugin's app root, config page or
 * panel the way Grafana does. Built to one IIFE by browser/buildHost.js.
 */
import React from 'react';
import * as ReactAll from 'react';
import * as JsxRuntime from 'react/jsx-runtime';
import * as ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as EmotionCss from '@emotion/css';
import * as EmotionReact from '@emotion/react';
import * as GrafanaData from '@grafana/data';
import * as GrafanaUi from '@grafana/ui';
import * as GrafanaRuntime from '@grafana/runtime';
import * as Rxjs from 'rxjs';
import * as RxjsOperators from 'rxjs/operators';
import * as ReactRouter from 'react-router';
import * as ReactRouterDom from 'react-router-dom';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import {
  AppPlugin,
  createTheme,
  dateTime,
  FieldType,
  LoadingState,
  PanelPlugin,
  ThemeContext,
  toDataFrame,
  type AppPluginMeta,
} from '@grafana/data';
import { GlobalStyles } from '@grafana/ui';
import { createBackendSrv } from './backendSrv';

declare global {
  interface Window {
    System: {
      set(id: string, module: object): void;
      import(id: string): Promise<Record<string, unknown>>;
    };
    harness: Harness;
    harnessErrors: string[];
  }
}

const shared: Record<string, object> = {
  react: ReactAll,
  'react/jsx-runtime': JsxRuntime,
  'react-dom': ReactDOM,
  '@emotion/css': EmotionCss,
  '@emotion/react': EmotionReact,
  '@grafana/data': GrafanaData,
  '@grafana/ui': GrafanaUi,
  '@grafana/runtime': GrafanaRuntime,
  rxjs: Rxjs,
  'rxjs/operators': RxjsOperators,
  'react-router': ReactRouter,
  'react-router-dom': ReactRouterDom,
};
for (const [name, mod] of Object.entries(shared)) {
  // AMD modules read a default export for `import X from`; keep both shapes like Grafana does.
  window.System.set(`app:${name}`, { ...mod, default: (mod as { default?: unknown }).default ?? mod, __useDefault: true });
}

GrafanaRuntime.setBackendSrv(createBackendSrv());
const theme = createTheme({ colors: { mode: 'dark' } });

function Shell({ children }: { children: React.ReactNode }) {
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div style={{ padding: 16, minHeight: '100vh', background: theme.colors.background.canvas }}>{children}</div>
    </ThemeContext.Provider>
  );
}

const PLUGIN_ID = 'aihub-observability-app';
const base = `/public/plugins/${PLUGIN_ID}`;

async function loadSettings(): Promise<AppPluginMeta> {
  const res = await fetch(`/api/plugins/${PLUGIN_ID}/settings`);
  return (await res.json()) as AppPluginMeta;
}

interface Harness {
  mountApp(): Promise<void>;
  mountConfig(): Promise<void>;
  mountPanel(spec: PanelSpec): Promise<void>;
}

interface PanelSpec {
  /** Series as {name, labels, points: [[ts, value]]}: the frames a datasource would return. */
  series: Array<{ name: string; labels: Record<string, string>; points: Array<[number, number]> }>;
  options: Record<string, unknown>;
  from: number;
  to: number;
  width: number;
  height: number;
}

function rootElement() {
  return createRoot(document.getElementById('root')!);
}

window.harness = {
  async mountApp() {
    const meta = await loadSettings();
    const mod = await window.System.import(`${base}/module.js`);
    const plugin = mod.plugin as AppPlugin;
    plugin.meta = meta;
    plugin.init?.(meta);
    const Root = plugin.root!;
    rootElement().render(
      <Shell>
        <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <Routes>
            <Route path={`/a/${PLUGIN_ID}/*`} element={<Root meta={meta} basename={`/a/${PLUGIN_ID}`} query={{}} path="" onNavChanged={() => {}} />} />
          </Routes>
        </BrowserRouter>
      </Shell>
    );
  },

  async mountConfig() {
    const meta = await loadSettings();
    const mod = await window.System.import(`${base}/module.js`);
    const plugin = mod.plugin as AppPlugin;
    plugin.meta = meta;
    const page = plugin.configPages![0];
    const Body = page.body;
    rootElement().render(
      <Shell>
        <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <h2>{page.title}</h2>
          <Body plugin={plugin} query={{}} />
        </BrowserRouter>
      </Shell>
    );
  },

  async mountPanel(spec: PanelSpec) {
    const mod = await window.System.import(`${base}/panels/llmanalysis/module.js`);
    const plugin = mod.plugin as PanelPlugin;
    const Panel = plugin.panel!;
    const from = dateTime(spec.from);
    const to = dateTime(spec.to);
    const timeRange = { from, to, raw: { from, to } };
    const series = spec.series.map((s) =>
      toDataFrame({
        fields: [
          { name: 'Time', type: FieldType.time, values: s.points.map((p) => p[0]) },
          { name: 'Value', type: FieldType.number, values: s.points.map((p) => p[1]), labels: { __name__: s.name, ...s.labels } },
        ],
      })
    );
    rootElement().render(
      <Shell>
        <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <div style={{ width: spec.width, height: spec.height, border: `1px solid ${theme.colors.border.weak}`, padding: 8 }}>
            <Panel
              id={1}
              data={{ series, state: LoadingState.Done, timeRange }}
              timeRange={timeRange}
              timeZone="browser"
              options={spec.options}
              fieldConfig={{ defaults: {}, overrides: [] }}
              transparent={false}
              width={spec.width - 16}
              height={spec.height - 16}
              renderCounter={1}
              title="LLM analysis"
              eventBus={new GrafanaData.EventBusSrv()}
              onOptionsChange={() => {}}
              onFieldConfigChange={() => {}}
              replaceVariables={(s: string) => s}
              onChangeTimeRange={() => {}}
            />
          </div>
        </BrowserRouter>
      </Shell>
    );
  },
};
