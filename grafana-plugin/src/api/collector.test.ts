import { finding, installBackendSrv, installFetch } from '../testing/networkFakes';
import { analyze, getHealth, getLlmSummary, listTrainingRuns, streamAnalysis, streamChat } from './collector';
import { ServiceError } from './serviceError';

const BASE = '/api/plugin-proxy/aihub-observability-app';

describe('collector API client', () => {
  test('requests go through the plugin proxy route of their service', async () => {
    const calls = installBackendSrv((req) => ({ status: 200, data: req.url.endsWith('/health') ? { status: 'ok' } : [] }));
    await getHealth('collector');
    await getHealth('alerting');
    await listTrainingRuns();
    expect(calls.map((c) => c.url)).toEqual([`${BASE}/collector/health`, `${BASE}/alerting/health`, `${BASE}/collector/v1/training/runs`]);
  });

  test('training runs are accepted as a bare array or {runs}', async () => {
    installBackendSrv(() => ({ status: 200, data: { runs: [{ run_id: 'r1', status: 'running' }] } }));
    expect(await listTrainingRuns()).toEqual([{ run_id: 'r1', status: 'running' }]);
  });

  test('the LLM summary is asked for the given range', async () => {
    const calls = installBackendSrv(() => ({ status: 200, data: { from: 1000, to: 2000, totals: { requests: 3, cost_usd: 1.5 }, models: [] } }));
    const summary = await getLlmSummary({ from: 1000, to: 2000 });
    expect(summary.total_cost_usd).toBe(1.5);
    expect(summary.requests).toBe(3);
    expect(calls[0].params).toEqual({ from: '1000', to: '2000' });
  });

  test('a 502 from the proxy is an unreachable ServiceError', async () => {
    installBackendSrv(() => ({ status: 502, data: { message: 'Bad Gateway' } }));
    const err = await getHealth('collector').catch((e) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.unreachable).toBe(true);
    expect(err.service).toBe('collector');
  });

  test("a 4xx keeps the service's error code and message", async () => {
    installBackendSrv(() => ({ status: 400, data: { error: { code: 'invalid_request', message: 'series[0].points must be an array', details: [] } } }));
    const err = await analyze({ kind: 'auto', series: [] }).catch((e) => e);
    expect(err.status).toBe(400);
    expect(err.code).toBe('invalid_request');
    expect(err.message).toBe('series[0].points must be an array');
    expect(err.unreachable).toBe(false);
  });

  test('a response of the wrong shape is reported, not rendered', async () => {
    installBackendSrv(() => ({ status: 200, data: { findings: 'none' } }));
    const err = await analyze({ kind: 'auto', series: [] }).catch((e) => e);
    expect(err.code).toBe('bad_response');
    expect(err.message).toMatch(/findings/);
  });

  test('analyze posts the request and returns findings, narrative and llm_error', async () => {
    const calls = installBackendSrv(() => ({
      status: 200,
      data: { findings: [finding()], stats: {}, llm_error: { category: 'auth', message: 'bad key', suggestion: 'Check OPENAI_API_KEY', provider: 'openai', model: 'gpt-4o' } },
    }));
    const res = await analyze({ kind: 'training', series: [{ name: 'training_val_loss', labels: {}, points: [[1, 2]] }] });
    expect(calls[0]).toMatchObject({ method: 'POST', url: `${BASE}/collector/v1/analyze`, data: { kind: 'training' } });
    expect(res.findings[0].code).toBe('overfitting');
    expect(res.llm_error?.suggestion).toBe('Check OPENAI_API_KEY');
  });
});

describe('streamed analysis and chat', () => {
  test('findings, deltas and done arrive in order through native fetch with Accept: text/event-stream', async () => {
    const calls = installFetch(() => ({
      events: [
        { event: 'findings', data: { findings: [finding()], stats: { n: 1 } } },
        { event: 'delta', data: { text: 'The run ' } },
        { event: 'delta', data: { text: 'overfits.' } },
        { event: 'done', data: { llm: { model: 'm1', usage: { total_tokens: 12 } } } },
      ],
    }));
    const seen: string[] = [];
    await streamAnalysis(
      { kind: 'training', series: [] },
      {
        onFindings: (f, stats) => seen.push(`findings:${f.length}:${JSON.stringify(stats)}`),
        onDelta: (t) => seen.push(`delta:${t}`),
        onDone: (d) => seen.push(`done:${d.llm?.model}`),
      }
    );
    expect(seen).toEqual(['findings:1:{"n":1}', 'delta:The run ', 'delta:overfits.', 'done:m1']);
    expect(calls[0].url).toBe(`${BASE}/collector/v1/analyze`);
    expect(calls[0].headers).toMatchObject({ Accept: 'text/event-stream', 'Content-Type': 'application/json' });
  });

  test('an error event carries the classified LLM error with its suggestion', async () => {
    installFetch(() => ({
      events: [{ event: 'error', data: { category: 'rate_limit', message: 'Rate limited', suggestion: 'Wait and retry', retry_after: 20, provider: 'openai', model: 'gpt-4o' } }],
    }));
    const errors: unknown[] = [];
    await streamChat({ messages: [{ role: 'user', content: 'hi' }], context: {} }, { onLlmError: (e) => errors.push(e) });
    expect(errors).toEqual([{ category: 'rate_limit', message: 'Rate limited', suggestion: 'Wait and retry', retry_after: 20, provider: 'openai', model: 'gpt-4o' }]);
  });

  test('chat posts messages and context to /v1/chat', async () => {
    const calls = installFetch(() => ({ events: [{ event: 'done', data: {} }] }));
    await streamChat({ messages: [{ role: 'user', content: 'Diagnose training problems' }], context: { run_id: 'r1', from: 1, to: 2 } }, {});
    expect(calls[0].url).toBe(`${BASE}/collector/v1/chat`);
    expect(calls[0].body).toEqual({ messages: [{ role: 'user', content: 'Diagnose training problems' }], context: { run_id: 'r1', from: 1, to: 2 } });
  });

  test('a non-2xx answer rejects with the JSON error body', async () => {
    installFetch(() => ({ status: 401, json: { error: { code: 'unauthorized', message: 'missing or invalid bearer token' } } }));
    const err = await streamChat({ messages: [], context: {} }, {}).catch((e) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err.status).toBe(401);
    expect(err.message).toBe('missing or invalid bearer token');
  });

  test('aborting stops the stream with an AbortError', async () => {
    installFetch(() => ({ events: [{ event: 'delta', data: { text: 'partial' } }, { wait: 'abort' }] }));
    const abort = new AbortController();
    const deltas: string[] = [];
    const done = streamChat({ messages: [], context: {} }, { onDelta: (t) => { deltas.push(t); abort.abort(); } }, abort.signal);
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    expect(deltas).toEqual(['partial']);
  });
});
