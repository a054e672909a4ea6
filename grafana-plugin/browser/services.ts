/**
 * The real services the browser tests talk to, in this process on 127.0.0.1: one PGlite
 * database shared (as `npm start` does) by the collector (with its default features: training
 * runs, streams, analysis) and the alerting service, plus the OpenAI-compatible test server
 * from @aihub/core as the assistant's LLM. Requires `npm run build` at the root (dist/).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';

// Built packages, loaded at run time so this file type-checks without them.
/* eslint-disable @typescript-eslint/no-require-imports */
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const TOKEN = 'harness-token';

export interface Services {
  collectorUrl: string;
  alertingUrl: string;
  llm: Any;
  alerting: Any;
  push(body: unknown): Promise<void>;
  stop(): Promise<void>;
}

/** A rule the Alerts test can trip at once: a queue deeper than 100, no `for` delay. */
const ALERTING_CONFIG = `
evaluation_interval: 1h
channels:
  - {name: console, type: console, send_resolved: true}
routes:
  - {match: {}, channels: [console], group_by: [alertname], group_wait: 0s, group_interval: 1m, repeat_interval: 4h}
rules:
  - {name: llm_queue_backlog, type: threshold, metric: queue_depth, aggregation: last, window: 5m, op: ">",
     threshold: 100, for: 0s, severity: critical, labels: {team: ml-platform},
     annotations: {summary: "Queue {{ $labels.queue }} holds {{ $value }} requests"}}
`;

function requireBuilt(pkg: string): Any {
  try {
    return require(pkg);
  } catch (err) {
    throw new Error(`${pkg} is not built (${(err as Error).message}); run \`npm run build\` at the repository root first`);
  }
}

export async function startServices(): Promise<Services> {
  const core = requireBuilt('@aihub/core');
  const collectorPkg = requireBuilt('@aihub/collector');
  const alertingPkg = requireBuilt('@aihub/alerting');
  // The collector's own wiring of its features (as its main.ts does).
  const defaultFeatures = collectorPkg.defaultFeatures ?? requireBuilt('@aihub/collector/dist/features').defaultFeatures;

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aihub-plugin-browser-'));
  const llm = await requireBuilt('@aihub/core/testing').startOpenAiTestServer();
  const env = {
    COLLECTOR_PORT: '0',
    HOST: '127.0.0.1',
    AIHUB_TOKENS: TOKEN,
    DATA_DIR: dataDir,
    OPENAI_BASE_URL: llm.baseURL,
    OPENAI_API_KEY: 'test-key',
    AIHUB_LLM_MODEL: 'test-model',
    LOG_LEVEL: 'warn',
  };
  const db = await core.openDatabase({ dataDir });
  await core.migrate(db);
  const config = collectorPkg.loadCollectorConfig(env);
  const features = defaultFeatures(config, env);
  // The analysis API is the collector's own feature; mount it if defaultFeatures does not (yet).
  if (!features.some((f: { name: string }) => f.name === 'analysis')) {
    features.push(requireBuilt('@aihub/collector/dist/analysis/feature').analysisFeature({ env }));
  }
  const collector = collectorPkg.createCollector(config, { db, features });
  const { url: collectorUrl } = await collector.start();

  const alerting = alertingPkg.createAlerting({
    config: alertingPkg.parseAlertingConfig(ALERTING_CONFIG, env),
    host: '127.0.0.1',
    port: 0,
    tokens: [TOKEN],
    db,
    dataDir,
    autoRun: false,
    handleSignals: false,
    logLevel: 'warn',
  });
  const { url: alertingUrl } = await alerting.start();

  return {
    collectorUrl,
    alertingUrl,
    llm,
    alerting,
    async push(body: unknown) {
      const res = await fetch(`${collectorUrl}/v1/push`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
      if (res.status !== 202) {
        throw new Error(`push failed: ${res.status} ${await res.text()}`);
      }
    },
    async stop() {
      await alerting.stop().catch(() => undefined);
      await collector.stop().catch(() => undefined);
      await db.close?.().catch?.(() => undefined);
      await llm.close?.();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
