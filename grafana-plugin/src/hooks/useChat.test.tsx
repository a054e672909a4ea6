import { act, renderHook, waitFor } from '@testing-library/react';
import { installFetch } from '../testing/networkFakes';
import { loadConversation } from './conversationStore';
import { useChat } from './useChat';

describe('useChat', () => {
  beforeEach(() => window.localStorage.clear());

  test('streams an answer, then keeps question and answer in the browser for that context', async () => {
    const calls = installFetch(() => ({
      events: [
        { event: 'delta', data: { text: 'Loss is ' } },
        { event: 'delta', data: { text: 'falling.' } },
        { event: 'done', data: {} },
      ],
    }));
    const { result } = renderHook(() => useChat({ run_id: 'r1' }));
    await act(() => result.current.send('Analyse the current training state'));
    expect(result.current.messages).toEqual([
      { role: 'user', content: 'Analyse the current training state' },
      { role: 'assistant', content: 'Loss is falling.' },
    ]);
    expect(result.current.streaming).toBe(false);
    expect(calls[0].body).toEqual({ messages: [{ role: 'user', content: 'Analyse the current training state' }], context: { run_id: 'r1' } });
    expect(loadConversation({ run_id: 'r1' })).toHaveLength(2);
  });

  test('the next question sends the whole history', async () => {
    const calls = installFetch(() => ({ events: [{ event: 'delta', data: { text: 'ok' } }] }));
    const { result } = renderHook(() => useChat({}));
    await act(() => result.current.send('one'));
    await act(() => result.current.send('two'));
    expect((calls[1].body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'ok' },
      { role: 'user', content: 'two' },
    ]);
  });

  test('stop aborts the request and keeps the partial answer marked as stopped', async () => {
    const calls = installFetch(() => ({ events: [{ event: 'delta', data: { text: 'Partial' } }, { wait: 'abort' }] }));
    const { result } = renderHook(() => useChat({}));
    let sending: Promise<void> = Promise.resolve();
    act(() => {
      sending = result.current.send('q');
    });
    await waitFor(() => expect(result.current.pending).toBe('Partial'));
    expect(result.current.streaming).toBe(true);
    act(() => result.current.stop());
    await act(() => sending);
    expect(calls[0].signal?.aborted).toBe(true);
    expect(result.current.streaming).toBe(false);
    expect(result.current.error).toBeUndefined();
    expect(result.current.messages[1]).toEqual({ role: 'assistant', content: 'Partial\n\n_(stopped)_' });
  });

  test('an LLM error event is exposed with its suggestion', async () => {
    installFetch(() => ({ events: [{ event: 'error', data: { category: 'auth', message: 'Invalid API key', suggestion: 'Set OPENAI_API_KEY' } }] }));
    const { result } = renderHook(() => useChat({}));
    await act(() => result.current.send('q'));
    expect(result.current.llmError).toMatchObject({ category: 'auth', suggestion: 'Set OPENAI_API_KEY' });
    expect(result.current.messages).toHaveLength(1);
  });

  test('a failed request is an error, and the question stays in the conversation', async () => {
    installFetch(() => ({ status: 502, json: { message: 'Bad Gateway' } }));
    const { result } = renderHook(() => useChat({}));
    await act(() => result.current.send('q'));
    expect(result.current.error).toMatchObject({ status: 502, unreachable: true });
    expect(result.current.messages).toEqual([{ role: 'user', content: 'q' }]);
  });

  test('switching context shows that context’s conversation; clear empties it', async () => {
    installFetch(() => ({ events: [{ event: 'delta', data: { text: 'A' } }] }));
    const { result, rerender } = renderHook(({ ctx }) => useChat(ctx), { initialProps: { ctx: { run_id: 'r1' } as { run_id?: string } } });
    await act(() => result.current.send('about r1'));
    rerender({ ctx: { run_id: 'r2' } });
    await waitFor(() => expect(result.current.messages).toEqual([]));
    rerender({ ctx: { run_id: 'r1' } });
    await waitFor(() => expect(result.current.messages).toHaveLength(2));
    act(() => result.current.clear());
    expect(result.current.messages).toEqual([]);
    expect(loadConversation({ run_id: 'r1' })).toEqual([]);
  });
});
