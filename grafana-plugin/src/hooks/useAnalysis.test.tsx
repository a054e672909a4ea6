import { act, renderHook, waitFor } from '@testing-library/react';
import { finding, installFetch } from '../testing/networkFakes';
import type { AnalyzeRequest } from '../api/types';
import { useAnalysis } from './useAnalysis';

const request: AnalyzeRequest = { kind: 'training', series: [{ name: 'training_val_loss', labels: {}, points: [[1, 0.5]] }] };

describe('useAnalysis', () => {
  test('with autoRun, analyses at once: findings first, then the streamed narrative', async () => {
    installFetch(() => ({
      events: [
        { event: 'findings', data: { findings: [finding()] } },
        { event: 'delta', data: { text: 'Overfitting ' } },
        { event: 'delta', data: { text: 'since epoch 12.' } },
        { event: 'done', data: { llm: { model: 'test-model' } } },
      ],
    }));
    const { result } = renderHook(() => useAnalysis(request, true));
    await waitFor(() => expect(result.current.status).toBe('done'));
    expect(result.current.findings.map((f) => f.code)).toEqual(['overfitting']);
    expect(result.current.narrative).toBe('Overfitting since epoch 12.');
    expect(result.current.llm?.model).toBe('test-model');
  });

  test('without autoRun nothing is sent until run()', async () => {
    const calls = installFetch(() => ({ events: [{ event: 'findings', data: { findings: [] } }] }));
    const { result } = renderHook(() => useAnalysis(request, false));
    expect(result.current.status).toBe('idle');
    expect(calls).toHaveLength(0);
    act(() => result.current.run());
    await waitFor(() => expect(result.current.status).toBe('done'));
    expect(calls).toHaveLength(1);
  });

  test('new data cancels the analysis in flight and starts another', async () => {
    const calls = installFetch((call) =>
      (call.body as AnalyzeRequest).series[0].points[0][1] === 0.5
        ? { events: [{ wait: 'abort' }] }
        : { events: [{ event: 'findings', data: { findings: [finding({ code: 'healthy', severity: 'info' })] } }] }
    );
    const { result, rerender } = renderHook(({ req }) => useAnalysis(req, true), { initialProps: { req: request } });
    await waitFor(() => expect(calls).toHaveLength(1));
    rerender({ req: { ...request, series: [{ name: 'training_val_loss', labels: {}, points: [[2, 0.4]] }] } });
    await waitFor(() => expect(result.current.status).toBe('done'));
    expect(calls[0].signal?.aborted).toBe(true);
    expect(result.current.findings[0].code).toBe('healthy');
  });

  test('an unreachable collector is an error state', async () => {
    installFetch(() => ({ status: 502, json: {} }));
    const { result } = renderHook(() => useAnalysis(request, true));
    await waitFor(() => expect(result.current.status).toBe('error'));
    expect(result.current.error).toMatchObject({ unreachable: true });
  });

  test('stop ends a running analysis and keeps what arrived', async () => {
    installFetch(() => ({ events: [{ event: 'findings', data: { findings: [finding()] } }, { wait: 'abort' }] }));
    const { result } = renderHook(() => useAnalysis(request, true));
    await waitFor(() => expect(result.current.findings).toHaveLength(1));
    act(() => result.current.stop());
    expect(result.current.status).toBe('done');
    expect(result.current.findings).toHaveLength(1);
  });
});
