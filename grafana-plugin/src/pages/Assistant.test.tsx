import React from 'react';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { installBackendSrv, installFetch } from '../testing/networkFakes';
import { renderWithRouter } from '../testing/renderWithRouter';
import { testIds } from '../components/testIds';
import Assistant, { SUGGESTED_QUESTIONS } from './Assistant';

function collector(configured = true) {
  return installBackendSrv((req) => {
    if (req.url.endsWith('/v1/training/runs')) {
      return { status: 200, data: [{ run_id: 'r1' }] };
    }
    if (req.url.endsWith('/v1/llm/summary')) {
      return { status: 200, data: { models: [] } };
    }
    if (req.url.endsWith('/v1/assistant/status')) {
      return { status: 200, data: { configured, model: configured ? 'm' : null } };
    }
    return undefined;
  });
}

describe('Assistant page', () => {
  beforeEach(() => window.localStorage.clear());

  test('a suggested question streams an answer rendered as Markdown, with the context from the URL', async () => {
    collector();
    const fetches = installFetch(() => ({
      events: [
        { event: 'delta', data: { text: '**Overfitting**' } },
        { event: 'delta', data: { text: ' since epoch 12.' } },
        { event: 'done', data: {} },
      ],
    }));
    renderWithRouter(<Assistant />, '/a/aihub-observability-app/assistant?run_id=r1&from=1000&to=2000');
    const suggestions = await screen.findAllByTestId(testIds.assistant.suggestion);
    expect(suggestions.map((b) => b.textContent)).toEqual(SUGGESTED_QUESTIONS);
    await userEvent.click(suggestions[2]);
    const log = screen.getByRole('log', { name: 'Conversation' });
    await waitFor(() => expect(log.querySelector('strong')).toHaveTextContent('Overfitting'));
    expect(log).toHaveTextContent('Diagnose training problems');
    expect(fetches[0].body).toEqual({
      messages: [{ role: 'user', content: 'Diagnose training problems' }],
      context: { run_id: 'r1', from: 1000, to: 2000 },
    });
  });

  test('Enter sends, the stop button aborts a streaming answer', async () => {
    collector();
    const fetches = installFetch(() => ({ events: [{ event: 'delta', data: { text: 'Thinking' } }, { wait: 'abort' }] }));
    renderWithRouter(<Assistant />, '/a/aihub-observability-app/assistant');
    await userEvent.type(screen.getByRole('textbox', { name: 'Ask the assistant' }), 'Why is val loss rising?{Enter}');
    const stop = await screen.findByTestId(testIds.assistant.stop);
    await waitFor(() => expect(screen.getByTestId(testIds.assistant.pending)).toHaveTextContent('Thinking'));
    await userEvent.click(stop);
    expect(fetches[0].signal?.aborted).toBe(true);
    expect(await screen.findByTestId(testIds.assistant.send)).toBeInTheDocument();
    expect(screen.getByRole('log', { name: 'Conversation' })).toHaveTextContent('(stopped)');
  });

  test('an LLM failure shows the suggestion; no LLM configured is announced', async () => {
    collector(false);
    installFetch(() => ({ events: [{ event: 'error', data: { category: 'auth', message: 'Invalid API key', suggestion: 'Check OPENAI_API_KEY on the collector' } }] }));
    renderWithRouter(<Assistant />, '/a/aihub-observability-app/assistant');
    expect(await screen.findByText('No analysis LLM configured')).toBeInTheDocument();
    await userEvent.click((await screen.findAllByTestId(testIds.assistant.suggestion))[0]);
    expect(await screen.findByText('Suggestion: Check OPENAI_API_KEY on the collector')).toBeInTheDocument();
  });

  test('a follow-up question from the panel is prefilled, not sent', async () => {
    collector();
    const fetches = installFetch(() => ({ events: [] }));
    renderWithRouter(<Assistant />, '/a/aihub-observability-app/assistant?run_id=r1&q=Is%20this%20overfitting%3F');
    expect(await screen.findByDisplayValue('Is this overfitting?')).toBeInTheDocument();
    expect(fetches).toHaveLength(0);
  });

  test('the conversation survives a reload and can be exported as Markdown', async () => {
    collector();
    installFetch(() => ({ events: [{ event: 'delta', data: { text: 'Answer' } }] }));
    const first = renderWithRouter(<Assistant />, '/a/aihub-observability-app/assistant?run_id=r1');
    await userEvent.type(screen.getByRole('textbox', { name: 'Ask the assistant' }), 'Question{Enter}');
    await waitFor(() => expect(screen.getByRole('log', { name: 'Conversation' })).toHaveTextContent('Answer'));
    first.unmount();

    renderWithRouter(<Assistant />, '/a/aihub-observability-app/assistant?run_id=r1');
    expect(screen.getByRole('log', { name: 'Conversation' })).toHaveTextContent('Answer');
    const created: Blob[] = [];
    // jsdom cannot follow the download link; stop the navigation, keep the click.
    document.addEventListener('click', (e) => (e.target as HTMLElement).hasAttribute?.('download') && e.preventDefault());
    Object.assign(URL, { createObjectURL: (b: Blob) => (created.push(b), 'blob:x'), revokeObjectURL: () => {} });
    await userEvent.click(screen.getByTestId(testIds.assistant.export));
    // jsdom's Blob has no text(); FileReader reads it.
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result));
      reader.readAsText(created[0]);
    });
    expect(text).toContain('## You\n\nQuestion');
  });
});
