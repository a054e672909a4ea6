import React from 'react';
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { dateTime, FieldType, LoadingState, PanelProps, toDataFrame } from '@grafana/data';
import { finding, installBackendSrv, installFetch } from '../../testing/networkFakes';
import { renderWithRouter } from '../../testing/renderWithRouter';
import { testIds } from '../../components/testIds';
import type { AnalyzeRequest } from '../../api/types';
import { LlmAnalysisPanel } from './LlmAnalysisPanel';
import { defaultOptions, LlmAnalysisOptions } from './options';

const from = dateTime(1_700_000_000_000);
const to = dateTime(1_700_003_600_000);

function props(series = [lossFrame()], options: Partial<LlmAnalysisOptions> = {}): PanelProps<LlmAnalysisOptions> {
  return {
    data: { series, state: LoadingState.Done, timeRange: { from, to, raw: { from, to } } },
    options: { ...defaultOptions, ...options },
    timeRange: { from, to, raw: { from, to } },
    width: 600,
    height: 400,
  } as unknown as PanelProps<LlmAnalysisOptions>;
}

function lossFrame() {
  return toDataFrame({
    fields: [
      { name: 'Time', type: FieldType.time, values: [1, 2, 3] },
      { name: 'Value', type: FieldType.number, values: [0.5, 0.6, 0.7], labels: { __name__: 'aihub_training_loss', run_id: 'r1', split: 'val' } },
    ],
  });
}

function collectorStatus(configured: boolean) {
  installBackendSrv((req) => (req.url.endsWith('/v1/assistant/status') ? { status: 200, data: { configured } } : undefined));
}

describe('LLM analysis panel', () => {
  test('on the button, sends compact series and shows severity-coloured findings and the streamed narrative', async () => {
    collectorStatus(true);
    const calls = installFetch(() => ({
      events: [
        { event: 'findings', data: { findings: [finding({ severity: 'critical', title: 'Loss diverges' }), finding({ code: 'healthy', severity: 'info', title: 'GPU fine' })] } },
        { event: 'delta', data: { text: 'Validation loss is **rising**.' } },
        { event: 'done', data: { llm: { model: 'test-llm' } } },
      ],
    }));
    renderWithRouter(<LlmAnalysisPanel {...(props([lossFrame()], { kind: 'training', question: 'Overfitting?' }) as PanelProps<LlmAnalysisOptions>)} />);
    expect(calls).toHaveLength(0);
    await userEvent.click(screen.getByRole('button', { name: 'Analyse' }));
    const cards = await screen.findAllByTestId(testIds.finding);
    expect(cards.map((c) => c.getAttribute('data-severity'))).toEqual(['critical', 'info']);
    await waitFor(() => expect(screen.getByTestId(testIds.panel.narrative).querySelector('strong')).toHaveTextContent('rising'));
    expect(screen.getByText('Narrative by test-llm')).toBeInTheDocument();
    expect(calls[0].body).toEqual({
      kind: 'training',
      series: [{ name: 'aihub_training_loss', labels: { run_id: 'r1', split: 'val' }, points: [[1, 0.5], [2, 0.6], [3, 0.7]] }],
      run_id: 'r1',
      from: from.valueOf(),
      to: to.valueOf(),
      question: 'Overfitting?',
    } satisfies AnalyzeRequest);
    const followUp = screen.getByRole('link', { name: /ask a follow-up/i });
    expect(followUp).toHaveAttribute('href', `/a/aihub-observability-app/assistant?run_id=r1&from=${from.valueOf()}&to=${to.valueOf()}&q=Overfitting%3F`);
  });

  test('with "on refresh" it analyses as soon as data arrives', async () => {
    collectorStatus(true);
    const calls = installFetch(() => ({ events: [{ event: 'findings', data: { findings: [finding()] } }] }));
    renderWithRouter(<LlmAnalysisPanel {...props([lossFrame()], { trigger: 'refresh' })} />);
    expect(await screen.findByTestId(testIds.finding)).toBeInTheDocument();
    expect(calls).toHaveLength(1);
  });

  test('no data says so and sends nothing', async () => {
    collectorStatus(true);
    const calls = installFetch(() => ({ events: [] }));
    renderWithRouter(<LlmAnalysisPanel {...props([])} />);
    await act(() => new Promise((r) => setTimeout(r, 10)));
    expect(screen.getByText(/No data/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Analyse' })).not.toBeInTheDocument();
    expect(calls).toHaveLength(0);
  });

  test('no LLM configured is stated; the deterministic findings still show', async () => {
    collectorStatus(false);
    installFetch(() => ({ events: [{ event: 'findings', data: { findings: [finding()] } }, { event: 'done', data: {} }] }));
    renderWithRouter(<LlmAnalysisPanel {...props([lossFrame()], { trigger: 'refresh' })} />);
    expect(await screen.findByText('No LLM configured')).toBeInTheDocument();
    expect(await screen.findByTestId(testIds.finding)).toBeInTheDocument();
  });

  test('an unreachable collector is a clear error', async () => {
    collectorStatus(true);
    installFetch(() => ({ status: 502, json: {} }));
    renderWithRouter(<LlmAnalysisPanel {...props([lossFrame()], { trigger: 'refresh' })} />);
    expect(await screen.findByText('Analysis failed')).toBeInTheDocument();
    expect(screen.getByText(/collector service is unreachable/)).toBeInTheDocument();
  });

  test('an LLM failure after the findings keeps them and shows the suggestion', async () => {
    collectorStatus(true);
    installFetch(() => ({
      events: [
        { event: 'findings', data: { findings: [finding()] } },
        { event: 'error', data: { category: 'timeout', message: 'The model did not answer in 30 s', suggestion: 'Try a smaller model' } },
      ],
    }));
    renderWithRouter(<LlmAnalysisPanel {...props([lossFrame()], { trigger: 'refresh' })} />);
    expect(await screen.findByText('Suggestion: Try a smaller model')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.finding)).toBeInTheDocument();
  });

  test('a running analysis can be stopped', async () => {
    collectorStatus(true);
    const calls = installFetch(() => ({ events: [{ wait: 'abort' }] }));
    renderWithRouter(<LlmAnalysisPanel {...props()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Analyse' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Stop' }));
    expect(calls[0].signal?.aborted).toBe(true);
    expect(await screen.findByRole('button', { name: 'Analyse again' })).toBeInTheDocument();
  });
});
