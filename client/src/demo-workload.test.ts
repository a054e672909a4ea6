/* eslint-disable @typescript-eslint/no-explicit-any -- rows read back from storage */
import { spawn, spawnSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { startTestCollector, type TestCollector } from '../../collector/src/testing/test-collector';

const root = path.resolve(__dirname, '..', '..');

function runDemo(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'demo.js'), ...args], { cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo -- --fast (scripts/demo.js through @aihub/client)', () => {
  let c: TestCollector;
  beforeAll(async () => {
    if (!fs.existsSync(path.join(root, 'client', 'dist', 'index.js'))) {
      const built = spawnSync('npx', ['tsc', '-b', 'client'], { cwd: root, stdio: 'inherit' });
      expect(built.status).toBe(0);
    }
    c = await startTestCollector({ env: { TRAINING_STALE_AFTER: '15m' } });
  });
  afterAll(() => c.stop());

  test('pushes an hour of the story ending now, with every incident visible at the end', async () => {
    const started = Date.now();
    const { code, stdout, stderr } = await runDemo(['--fast', '--url', c.url, '--token', 't', '--quiet']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/items stored/);
    const db = c.collector.context.db;
    const q = (sql: string, params: unknown[] = []) => db.query<any>(sql, params);

    // Six models over three providers; history reaches back about an hour and ends near now.
    const models = await q(
      'SELECT provider, model, count(*)::int AS n FROM llm_requests GROUP BY 1, 2 ORDER BY 1, 2',
    );
    expect(models).toHaveLength(6);
    expect(new Set(models.map((m: any) => m.provider))).toEqual(new Set(['openai', 'anthropic', 'google']));
    const [span] = await q(
      'SELECT extract(epoch FROM min(time)) * 1000 AS lo, extract(epoch FROM max(time)) * 1000 AS hi FROM llm_requests',
    );
    expect(started - Number(span.lo)).toBeGreaterThan(55 * 60_000);
    expect(Date.now() - Number(span.hi)).toBeLessThan(5 * 60_000);

    // The error spike at anthropic is under way in the last ten minutes, not at the others.
    const recentErrors = await q(
      `SELECT provider, avg((status = 'error')::int)::float8 AS rate FROM llm_requests
       WHERE time > now() - interval '10 minutes' GROUP BY provider`,
    );
    const rate = Object.fromEntries(recentErrors.map((r: any) => [r.provider, Number(r.rate)]));
    expect(rate.anthropic).toBeGreaterThan(0.1);
    expect(rate.openai).toBeLessThan(0.08);

    // gpt-4o got slower half an hour ago; gpt-4o-mini did not.
    const latency = await q(
      `SELECT model, percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE time > now() - interval '25 minutes') AS recent,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE time < now() - interval '35 minutes') AS before
       FROM llm_requests WHERE status = 'ok' AND model IN ('gpt-4o', 'gpt-4o-mini') GROUP BY model`,
    );
    const ratio = Object.fromEntries(latency.map((r: any) => [r.model, Number(r.recent) / Number(r.before)]));
    expect(ratio['gpt-4o']).toBeGreaterThan(1.8);
    expect(ratio['gpt-4o-mini']).toBeLessThan(1.4);

    // The CPU anomaly on gpu-02 is on now.
    const cpu = await c.get(
      `/v1/query_range?name=system_cpu_usage_percent&host=gpu-02&from=${Date.now() - 5 * 60_000}`,
    );
    expect(Math.min(...cpu.body.series[0].points.map((p: number[]) => p[1]))).toBeGreaterThan(95);

    // Three training runs: healthy, overfitting (val/train loss ratio > 1.5 at the end), exploded (failed).
    const runs = (await c.get('/v1/training/runs')).body.runs;
    const byId = Object.fromEntries(runs.map((r: any) => [r.run_id, r]));
    expect(byId['resnet50-healthy'].status).toBe('running');
    expect(byId['vit-b16-overfit'].status).toBe('running');
    expect(byId['bert-large-explode'].status).toBe('failed');
    const overfit = (await c.get('/v1/training/runs/vit-b16-overfit')).body.latest;
    const vit = (await c.get('/v1/training/runs/vit-b16-overfit/metrics?names=val_loss,train_loss')).body
      .series;
    const lastVal = vit[0].points.at(-1)[1];
    const lastTrain = vit[1].points.at(-1)[1];
    expect(lastVal / lastTrain).toBeGreaterThan(1.5);
    expect(overfit.epoch).toBeGreaterThan(35);
    const grads = (
      await c.get('/v1/training/runs/bert-large-explode/metrics?names=gradient_norm')
    ).body.series[0].points.map((p: number[]) => p[1]);
    expect(Math.max(...grads) / grads[0]).toBeGreaterThan(100);

    // Business and host families are there too.
    for (const name of [
      'business_api_usage',
      'business_error_rate',
      'business_active_sessions',
      'system_gpu_utilization_percent',
    ]) {
      expect((await c.get(`/v1/series?name=${name}`)).body.series.length).toBeGreaterThan(0);
    }
  });

  test('live mode pushes current data and moves the story at --speed', async () => {
    const before = Date.now();
    const { code, stdout } = await runDemo([
      '--backfill',
      '0',
      '--duration',
      '3s',
      '--speed',
      '240',
      '--url',
      c.url,
      '--token',
      't',
      '--quiet',
      '--seed',
      '7',
    ]);
    expect(code).toBe(0);
    const stored = Number(/demo: (\d+) of (\d+) items stored/.exec(stdout)![1]);
    expect(stored).toBeGreaterThan(0);
    // 3 s at 240x is 12 story minutes: 8 epochs of a fresh run, stamped with real, current times.
    const rows = await c.collector.context.db.query<{ n: number; lo: number }>(
      `SELECT count(*)::int AS n, min(extract(epoch FROM time) * 1000)::float8 AS lo FROM training_events WHERE time >= to_timestamp($1 / 1000.0)`,
      [before - 1000],
    );
    expect(rows[0].n).toBeGreaterThan(50);
    const [epoch] = await c.collector.context.db.query<{ e: number }>(
      `SELECT max(epoch)::float8 AS e FROM training_events WHERE time >= to_timestamp($1 / 1000.0)`,
      [before - 1000],
    );
    expect(epoch.e).toBeGreaterThan(5);
  });

  test('a missing collector is a clear error, not a stack trace', async () => {
    const { code, stderr } = await runDemo(['--fast', '--url', 'http://127.0.0.1:9', '--quiet']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no collector at http:\/\/127\.0\.0\.1:9/);
  });
});
