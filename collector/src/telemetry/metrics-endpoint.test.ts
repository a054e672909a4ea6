import { execFileSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { parsePrometheusText, type PromFamily } from '@aihub/core/testing';
import { startTestCollector, type TestCollector } from '../testing/test-collector';

async function scrape(c: TestCollector): Promise<{ text: string; families: Map<string, PromFamily> }> {
  const res = await c.request('/metrics');
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, families: parsePrometheusText(text) };
}

/** The value of the one sample of `name` whose labels include `labels`. */
function value(families: Map<string, PromFamily>, name: string, labels: Record<string, string>): number {
  const found = [...families.values()]
    .flatMap((f) => f.samples)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  expect(found).toHaveLength(1);
  return found[0].value;
}

describe('/metrics after a push', () => {
  let c: TestCollector;
  beforeAll(async () => {
    c = await startTestCollector({ driver: 'postgres', env: { LIVE_GAUGE_TTL: '15m' } });
    const now = Date.now();
    const res = await c.push({
      system: [
        {
          host: 'gpu-01',
          ts: now,
          cpu_usage_percent: 41.5,
          memory_usage_percent: 63,
          disk_usage_percent: 71.2,
          load_avg_1m: 1.2,
          network_rx_bytes: 123,
          network_tx_bytes: 456,
          gpus: [
            {
              index: 0,
              utilization_percent: 97,
              memory_used_bytes: 6.2e9,
              memory_total_bytes: 8e9,
              temperature_celsius: 71,
            },
          ],
        },
      ],
      llm: [
        {
          ts: now,
          provider: 'openai',
          model: 'gpt-4o',
          operation: 'chat',
          input_tokens: 812,
          output_tokens: 240,
          cached_tokens: 200,
          latency_ms: 1830,
          ttft_ms: 410,
          status: 'error',
          error_type: 'rate_limit',
          user_id: 'u1',
          session_id: 's9',
        },
        {
          ts: now,
          provider: 'openai',
          model: 'gpt-4o',
          input_tokens: 100,
          output_tokens: 50,
          latency_ms: 300,
          cache_hit: true,
          user_id: 'u2',
        },
        {
          ts: now,
          provider: 'acme',
          model: 'secret-model-x',
          input_tokens: 10,
          output_tokens: 5,
          latency_ms: 50,
        },
      ],
      training: [
        {
          run_id: 'resnet50',
          ts: now,
          epoch: 15,
          step: 1920,
          metrics: {
            train_loss: 0.2341,
            val_loss: 0.2876,
            train_accuracy: 0.8945,
            val_accuracy: 0.8567,
            learning_rate: 0.001,
            gradient_norm: 0.0234,
            gpu_memory_used_gb: 6.2,
            gpu_memory_total_gb: 8,
            training_speed: 1.23,
          },
        },
        { run_id: 'old-run', ts: now - 20 * 60_000, epoch: 3, metrics: { train_loss: 1.5 } },
      ],
    });
    expect(res.status).toBe(202);
  });
  afterAll(() => c.stop());

  test('LLM usage follows the GenAI semantic conventions with the advised buckets', async () => {
    const { families } = await scrape(c);
    const tokens = families.get('gen_ai_client_token_usage')!;
    expect(tokens.type).toBe('histogram');
    const input = {
      gen_ai_token_type: 'input',
      gen_ai_request_model: 'gpt-4o',
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'openai',
    };
    expect(value(families, 'gen_ai_client_token_usage_sum', input)).toBe(912);
    const les = tokens.samples
      .filter(
        (s) =>
          s.name.endsWith('_bucket') &&
          s.labels.gen_ai_token_type === 'input' &&
          s.labels.gen_ai_request_model === 'gpt-4o',
      )
      .map((s) => s.labels.le);
    expect(les).toEqual([
      '1',
      '4',
      '16',
      '64',
      '256',
      '1024',
      '4096',
      '16384',
      '65536',
      '262144',
      '1048576',
      '4194304',
      '16777216',
      '67108864',
      '+Inf',
    ]);
    const failed = { error_type: 'rate_limit' };
    expect(value(families, 'gen_ai_client_operation_duration_sum', failed)).toBeCloseTo(1.83);
    const durationLes = families
      .get('gen_ai_client_operation_duration')!
      .samples.filter((s) => s.name.endsWith('_bucket') && s.labels.error_type === 'rate_limit')
      .map((s) => s.labels.le);
    expect(durationLes[0]).toBe('0.01');
    expect(durationLes).toContain('81.92');
  });

  test('cost is counted from the price table, and an unpriced model is counted instead of priced 0', async () => {
    const { families } = await scrape(c);
    const cost = families.get('aihub_llm_cost_usd_total')!;
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million tokens
    const expected = (612 * 2.5 + 200 * 1.25 + 240 * 10 + 100 * 2.5 + 50 * 10) / 1e6;
    expect(value(families, 'aihub_llm_cost_usd_total', { gen_ai_request_model: 'gpt-4o' })).toBeCloseTo(
      expected,
      9,
    );
    expect(cost.samples.find((s) => s.labels.gen_ai_request_model === 'secret-model-x')).toBeUndefined();
    expect(
      value(families, 'aihub_llm_unpriced_requests_total', { gen_ai_request_model: 'secret-model-x' }),
    ).toBe(1);
    const rows = await c.collector.context.db.query<{ cost_usd: number | null; priced: boolean }>(
      "SELECT cost_usd, priced FROM llm_requests WHERE model = 'secret-model-x'",
    );
    expect(rows).toEqual([{ cost_usd: null, priced: false }]);
  });

  test('training gauges exist per active run only, by split', async () => {
    const { families } = await scrape(c);
    const loss = families.get('aihub_training_loss')!;
    expect(loss.samples.map((s) => s.labels).sort((a, b) => a.split.localeCompare(b.split))).toEqual([
      expect.objectContaining({ run_id: 'resnet50', split: 'train' }),
      expect.objectContaining({ run_id: 'resnet50', split: 'val' }),
    ]);
    expect(value(families, 'aihub_training_loss', { split: 'val' })).toBeCloseTo(0.2876);
    expect(families.get('aihub_training_gpu_memory_used_bytes')!.samples[0].value).toBeCloseTo(6.2e9);
    expect(families.get('aihub_training_epoch')!.samples.map((s) => [s.labels.run_id, s.value])).toEqual([
      ['resnet50', 15],
    ]);
  });

  test('host gauges use the system and hw conventions', async () => {
    const { families } = await scrape(c);
    expect(value(families, 'system_cpu_utilization', { host_name: 'gpu-01' })).toBeCloseTo(0.415);
    const net = families.get('system_network_io')!.samples;
    expect(net.map((s) => s.labels.network_io_direction).sort()).toEqual(['receive', 'transmit']);
    expect(value(families, 'hw_gpu_utilization', { host_name: 'gpu-01', hw_id: '0' })).toBeCloseTo(0.97);
    expect(value(families, 'hw_temperature', { host_name: 'gpu-01', hw_id: '0' })).toBe(71);
  });

  test("the collector's own metrics are there, and no user or session label anywhere", async () => {
    await c.request('/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"broken',
    });
    const { text, families } = await scrape(c);
    expect(value(families, 'aihub_ingest_samples_total', { family: 'llm' })).toBe(3);
    expect(value(families, 'aihub_ingest_rejected_total', { reason: 'invalid' })).toBeGreaterThanOrEqual(1);
    expect(families.get('aihub_ingest_queue_depth')!.samples[0].value).toBe(0);
    expect(families.get('aihub_ingest_flush_duration')!.type).toBe('histogram');
    const http = families.get('http_server_request_duration')!;
    expect(
      http.samples.some((s) => s.labels.http_route === '/v1/push' && s.labels.http_request_method === 'POST'),
    ).toBe(true);
    expect(text).not.toMatch(/user_id|session_id|\bu1\b|\bs9\b/);
  });

  test('promtool accepts the exposition', async () => {
    const { text } = await scrape(c);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-')), 'metrics.txt');
    fs.writeFileSync(file, text);
    // promtool check metrics lints names and types; it exits non-zero only on parse errors
    // or lint problems, which it prints.
    let out = '';
    try {
      out = execFileSync('sh', ['-c', `promtool check metrics < ${file} 2>&1`]).toString();
    } catch (err) {
      out = String((err as { stdout?: Buffer }).stdout ?? err);
    }
    expect(out).not.toMatch(/error while linting|parse error|text format parsing error/i);
  });

  test('/metrics needs the token; /health and /ready do not', async () => {
    expect((await fetch(c.url + '/metrics')).status).toBe(401);
    expect((await fetch(c.url + '/health')).status).toBe(200);
    const ready = await fetch(c.url + '/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', storage: 'postgres' });
  });
});
