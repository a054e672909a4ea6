/**
 * The built plugin (dist/) in Debian's Chromium, loaded the way Grafana loads it (SystemJS,
 * AMD module, shared host modules), talking through the plugin.json proxy routes to a real
 * collector and alerting service and the OpenAI-compatible test server.
 */
import type { BrowserContext } from 'playwright-core';
import { launchChromium, openPage, screenshot, type WatchedPage } from './chromium';
import { overfittingRun } from './demoData';
import { startServices, TOKEN, type Services } from './services';
import { testIds } from '../src/components/testIds';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createHarnessServer } = require('./harnessServer');

const APP = '/a/aihub-observability-app';
let services: Services;
let chromium: { browser: BrowserContext; close(): Promise<void> };

beforeAll(async () => {
  services = await startServices();
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await services?.stop();
});

/** A harness (Grafana stand-in) whose app settings point at the running services. */
async function configuredHarness() {
  const harness = createHarnessServer({
    settings: {
      jsonData: { collectorUrl: services.collectorUrl, alertingUrl: services.alertingUrl },
      secureJsonData: { collectorToken: TOKEN, alertingToken: TOKEN },
    },
  });
  const url: string = await harness.start();
  return { harness, url };
}

function expectClean(p: WatchedPage) {
  expect(p.errors).toEqual([]);
  expect(p.failedRequests).toEqual([]);
}

test('the configuration page saves URLs and write-only tokens, and Test connection reaches both services', async () => {
  const harness = createHarnessServer();
  const url = await harness.start();
  const p = await openPage(chromium.browser);
  try {
    await p.page.goto(`${url}/plugins/aihub-observability-app`);
    await p.page.locator('#config-collector-url').fill(services.collectorUrl);
    await p.page.locator('#config-alerting-url').fill(services.alertingUrl);
    await p.page.locator('#config-collectorToken').fill(TOKEN);
    await p.page.locator('#config-alertingToken').fill(TOKEN);
    await Promise.all([p.page.waitForEvent('load'), p.page.getByTestId(testIds.appConfig.save).click()]);

    // After the reload the page shows what Grafana stored: URLs back, tokens only as "configured".
    await p.page.waitForFunction(
      (v) => (document.querySelector('#config-collector-url') as HTMLInputElement | null)?.value === v,
      services.collectorUrl
    );
    expect(harness.settings.jsonData).toEqual({
      collectorUrl: services.collectorUrl,
      alertingUrl: services.alertingUrl,
    });
    expect(harness.settings.secureJsonData).toEqual({ collectorToken: TOKEN, alertingToken: TOKEN });
    expect(await p.page.locator('#config-collectorToken').inputValue()).toBe('configured');

    await p.page.getByTestId(testIds.appConfig.testConnection).click();
    const result = p.page.getByTestId(testIds.appConfig.testResult);
    await result.getByText(/^collector: reachable/).waitFor();
    await result.getByText(/^alerting: reachable/).waitFor();
    expect(await result.textContent()).toContain('assistant model test-model');
    // The proxy added the saved token: the collector's authenticated status endpoint answered.
    expect(
      harness.proxied
        .filter((r: { route: string }) => r.route === 'collector')
        .every((r: { authorization: string }) => r.authorization === `Bearer ${TOKEN}`)
    ).toBe(true);
    await screenshot(p.page, 'config');
    expectClean(p);
  } finally {
    await p.page.close();
    await harness.stop();
  }
});

test('the LLM analysis panel shows severity-coloured findings and the streamed narrative for demo data', async () => {
  const { harness, url } = await configuredHarness();
  const p = await openPage(chromium.browser);
  try {
    services.llm.enqueue({
      type: 'stream',
      chunks: ['Validation loss ', 'turned up after ', 'epoch 20: **overfitting**.'],
      chunkDelayMs: 30,
    });
    await p.page.goto(`${url}/panel`);
    const now = Date.now();
    await p.page.evaluate(
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (spec) => (window as any).harness.mountPanel(spec),
      {
        series: overfittingRun('resnet50-demo', now),
        options: { kind: 'training', trigger: 'button', maxSeries: 10, maxPoints: 200, question: '' },
        from: now - 3_600_000,
        to: now,
        width: 900,
        height: 760,
      }
    );
    await p.page.getByRole('button', { name: 'Analyse' }).click();
    const overfitting = p.page.locator(`[data-testid="${testIds.finding}"]`, { hasText: 'overfitting' });
    await overfitting.first().waitFor();
    expect(['warning', 'critical']).toContain(await overfitting.first().getAttribute('data-severity'));
    const narrative = p.page.getByTestId(testIds.panel.narrative);
    await narrative.getByText(/turned up after epoch 20/).waitFor();
    expect(await narrative.locator('strong').textContent()).toBe('overfitting');
    await p.page.getByTestId(testIds.panel.followUp).waitFor();
    const analyzeCalls = harness.proxied.filter((r: { url: string }) => r.url === '/v1/analyze');
    expect(analyzeCalls).toHaveLength(1);
    await screenshot(p.page, 'panel');
    expectClean(p);
  } finally {
    await p.page.close();
    await harness.stop();
  }
});

test('the Assistant streams an answer from the LLM, and Stop aborts the next one all the way to the LLM', async () => {
  const { harness, url } = await configuredHarness();
  const p = await openPage(chromium.browser);
  try {
    services.llm.enqueue({
      type: 'stream',
      chunks: ['**Training** ', 'looks stable; ', 'loss keeps falling.'],
      chunkDelayMs: 50,
    });
    await p.page.goto(`${url}${APP}/assistant`);
    await p.page.getByTestId(testIds.assistant.suggestion).first().click();
    const conversation = p.page.getByRole('log', { name: 'Conversation' });
    await conversation.getByText('loss keeps falling.').waitFor();
    expect(await conversation.locator('[data-role="assistant"] strong').first().textContent()).toBe('Training');

    services.llm.enqueue({ type: 'stall', chunks: ['Partial thoughts '] });
    const aborted = services.llm.waitForAbort(20_000);
    await p.page.getByRole('textbox', { name: 'Ask the assistant' }).fill('Get optimisation suggestions');
    await p.page.keyboard.press('Enter');
    await p.page.getByTestId(testIds.assistant.pending).getByText('Partial thoughts').waitFor();
    await screenshot(p.page, 'assistant-streaming');
    await p.page.getByTestId(testIds.assistant.stop).click();
    const abortedRequest = await aborted;
    expect(abortedRequest.aborted).toBe(true);
    await p.page.getByTestId(testIds.assistant.send).waitFor();
    await conversation.getByText('(stopped)').waitFor();
    await screenshot(p.page, 'assistant');
    expectClean(p);
  } finally {
    await p.page.close();
    await harness.stop();
  }
});

test('the Alerts page acknowledges a firing incident', async () => {
  const { harness, url } = await configuredHarness();
  const p = await openPage(chromium.browser);
  try {
    await services.push({ samples: [{ name: 'queue_depth', value: 500, labels: { queue: 'llm' } }] });
    await services.alerting.runCycle();
    await p.page.goto(`${url}${APP}/alerts`);
    const row = p.page.getByTestId(testIds.alerts.row).filter({ hasText: 'llm_queue_backlog' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Queue llm holds 500 requests');
    await screenshot(p.page, 'alerts');
    await row.getByRole('button', { name: 'Acknowledge llm_queue_backlog' }).click();
    await p.page.getByText('Acknowledged llm_queue_backlog').waitFor();
    await row.waitFor({ state: 'detached' });

    const res = await fetch(`${services.alertingUrl}/v1/incidents?status=acknowledged`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    const { incidents } = (await res.json()) as { incidents: Array<{ rule: string; acknowledged_by: string }> };
    expect(incidents).toEqual([expect.objectContaining({ rule: 'llm_queue_backlog', acknowledged_by: 'admin' })]);
    expectClean(p);
  } finally {
    await p.page.close();
    await harness.stop();
  }
});

test('the Overview page shows both services healthy and the spend, runs and dashboards', async () => {
  const { harness, url } = await configuredHarness();
  const p = await openPage(chromium.browser);
  try {
    const now = Date.now();
    await services.push({
      llm: [
        {
          ts: now - 60_000,
          provider: 'openai',
          model: 'gpt-4o',
          operation: 'chat',
          input_tokens: 812,
          output_tokens: 240,
          latency_ms: 1830,
          status: 'ok',
          cost_usd: 0.25,
        },
        {
          ts: now - 30_000,
          provider: 'anthropic',
          model: 'claude-sonnet',
          operation: 'chat',
          input_tokens: 400,
          output_tokens: 100,
          latency_ms: 900,
          status: 'ok',
          cost_usd: 0.5,
        },
      ],
      training: [
        {
          run_id: 'resnet50-demo',
          ts: now - 10_000,
          epoch: 15,
          step: 1920,
          metrics: { train_loss: 0.23, val_loss: 0.29 },
          model_info: { name: 'ResNet50', parameters: 25557032 },
        },
      ],
    });
    await p.page.goto(`${url}${APP}/overview`);
    const health = p.page.getByTestId(testIds.overview.health);
    await p.page.waitForFunction(() => !document.body.textContent?.includes('checking…'));
    expect(await health.textContent()).not.toContain('down');
    await p.page.getByTestId(testIds.overview.spend).getByText('$0.75').waitFor();
    await p.page.getByTestId(testIds.overview.runs).getByText('resnet50-demo').waitFor();
    await screenshot(p.page, 'overview');
    expectClean(p);
  } finally {
    await p.page.close();
    await harness.stop();
  }
});

test('Live training draws a pushed point in under a second, and after the proxy cuts the stream the curve resumes with nothing missing or doubled', async () => {
  const { harness, url } = await configuredHarness();
  const p = await openPage(chromium.browser);
  const runId = 'live-vit-demo';
  const point = (step: number) => ({
    run_id: runId,
    ts: Date.now(),
    epoch: Math.floor(step / 10),
    step,
    metrics: {
      train_loss: 2 / (1 + step / 10),
      val_loss: 2.1 / (1 + step / 12),
      train_accuracy: step / 100,
      learning_rate: 1e-3,
    },
  });
  const trainLine = p.page.locator(`[data-testid="${testIds.liveTraining.line}"][data-metric="train_loss"]`);
  const drawnSteps = async () =>
    ((await trainLine.getAttribute('data-xs')) ?? '').split(',').filter(Boolean).map(Number);
  try {
    await services.push({ training: [1, 2, 3, 4, 5].map(point) });
    await p.page.goto(`${url}${APP}/live-training?run_id=${runId}`);
    await p.page.waitForFunction(
      (sel) => document.querySelector(sel)?.getAttribute('data-count') === '5',
      `[data-testid="${testIds.liveTraining.line}"][data-metric="train_loss"]`
    );
    await p.page.locator(`[data-testid="${testIds.liveTraining.connection}"][data-state="live"]`).waitFor();
    await p.page.getByTestId(testIds.liveTraining.status).getByText('running').waitFor();

    // A pushed point appears on the curve in under a second.
    const pushedAt = Date.now();
    await services.push({ training: [point(6)] });
    await p.page.waitForFunction(
      (sel) => document.querySelector(sel)?.getAttribute('data-count') === '6',
      `[data-testid="${testIds.liveTraining.line}"][data-metric="train_loss"]`,
      { timeout: 5000, polling: 20 }
    );
    expect(Date.now() - pushedAt).toBeLessThan(1000);

    // The proxy drops the stream; points pushed meanwhile arrive after the resume, once each.
    expect(harness.cutStreams()).toBeGreaterThan(0);
    await services.push({ training: [7, 8, 9].map(point) });
    await services.push({ training: [10, 11].map(point) });
    await p.page.waitForFunction(
      (sel) => document.querySelector(sel)?.getAttribute('data-count') === '11',
      `[data-testid="${testIds.liveTraining.line}"][data-metric="train_loss"]`,
      { timeout: 15000 }
    );
    expect(await drawnSteps()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const streams = harness.proxied.filter((r: { url: string }) => r.url.startsWith('/v1/stream/training'));
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(Number(streams[streams.length - 1].lastEventId)).toBeGreaterThan(0);
    // Still live afterwards: one more point is drawn.
    await services.push({ training: [point(12)] });
    await p.page.waitForFunction(
      (sel) => document.querySelector(sel)?.getAttribute('data-count') === '12',
      `[data-testid="${testIds.liveTraining.line}"][data-metric="train_loss"]`
    );
    expect(await p.page.getByTestId(testIds.liveTraining.assistant).getAttribute('href')).toBe(
      `${APP}/assistant?run_id=${runId}`
    );
    await screenshot(p.page, 'live-training');

    // An overfitting run: its current findings are shown beside the curves.
    const now = Date.now();
    const [train, val] = overfittingRun('live-overfit', now);
    await services.push({
      training: train.points.map(([ts, v], i) => ({
        run_id: 'live-overfit',
        ts,
        epoch: i,
        step: i,
        metrics: { train_loss: v, val_loss: val.points[i][1] },
      })),
    });
    await p.page.goto(`${url}${APP}/live-training?run_id=live-overfit`);
    await p.page
      .getByTestId(testIds.liveTraining.findings)
      .getByText(/overfitting/i)
      .first()
      .waitFor();
    expect(p.errors.filter((e) => !/network|ERR_|aborted/i.test(e))).toEqual([]);
    expect(p.failedRequests).toEqual([]);
  } finally {
    await p.page.close();
    await harness.stop();
  }
});
