import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { streamChat } from '../api/collector';
import type { ChatContext, ChatMessage, LlmError } from '../api/types';
import { loadConversation, saveConversation } from './conversationStore';

export interface ChatState {
  messages: ChatMessage[];
  /** The assistant's answer as it streams in; moved into `messages` when done or stopped. */
  pending?: string;
  streaming: boolean;
  error?: unknown;
  llmError?: LlmError;
  send: (text: string) => Promise<void>;
  stop: () => void;
  clear: () => void;
}

/**
 * A chat with the collector's assistant about `context`: streams each answer, can be stopped,
 * and keeps the conversation in the browser per context.
 */
export function useChat(context: ChatContext, storage?: Storage): ChatState {
  const [messages, setMessages] = useState<ChatMessage[]>(() => loadConversation(context, storage));
  const [pending, setPending] = useState<string | undefined>();
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<unknown>();
  const [llmError, setLlmError] = useState<LlmError | undefined>();
  const controller = useRef<AbortController | null>(null);
  const serialized = JSON.stringify(context);
  const ctx = useMemo<ChatContext>(() => JSON.parse(serialized), [serialized]);

  // Switching context shows that context's conversation (state adjusted during render, as React
  // recommends for derived state) …
  const [shownKey, setShownKey] = useState(serialized);
  if (shownKey !== serialized) {
    setShownKey(serialized);
    setMessages(loadConversation(ctx, storage));
    setPending(undefined);
    setStreaming(false);
    setError(undefined);
    setLlmError(undefined);
  }
  // … and stops the answer in flight for the previous one (also on unmount).
  useEffect(
    () => () => {
      const inFlight = controller.current;
      controller.current = null;
      inFlight?.abort();
    },
    [serialized]
  );

  const send = useCallback(
    async (text: string) => {
      const question = text.trim();
      if (!question || controller.current) {
        return;
      }
      const history = [...messages, { role: 'user' as const, content: question }];
      setMessages(history);
      saveConversation(ctx, history, storage);
      setError(undefined);
      setLlmError(undefined);
      setPending('');
      setStreaming(true);
      const abort = new AbortController();
      controller.current = abort;
      let answer = '';
      const finish = () => {
        if (answer) {
          const content = abort.signal.aborted ? `${answer}\n\n_(stopped)_` : answer;
          const done = [...history, { role: 'assistant' as const, content }];
          setMessages(done);
          saveConversation(ctx, done, storage);
        }
        setPending(undefined);
        setStreaming(false);
        controller.current = null;
      };
      try {
        await streamChat(
          { messages: history, context: ctx },
          {
            onDelta: (delta) => {
              answer += delta;
              setPending(answer);
            },
            onLlmError: (e) => setLlmError(e),
          },
          abort.signal
        );
      } catch (e) {
        if (!abort.signal.aborted) {
          setError(e);
        }
      } finally {
        if (controller.current === abort) {
          finish();
        }
      }
    },
    [messages, ctx, storage]
  );

  const stop = useCallback(() => {
    controller.current?.abort();
  }, []);

  const clear = useCallback(() => {
    const inFlight = controller.current;
    controller.current = null;
    inFlight?.abort();
    setStreaming(false);
    setMessages([]);
    setPending(undefined);
    setError(undefined);
    setLlmError(undefined);
    saveConversation(ctx, [], storage);
  }, [ctx, storage]);

  return { messages, pending, streaming, error, llmError, send, stop, clear };
}
