import React, { KeyboardEvent, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, Stack, TextArea, useStyles2 } from '@grafana/ui';
import { getAssistantStatus, getLlmSummary, listTrainingRuns } from '../api/collector';
import type { ChatContext } from '../api/types';
import { ChatMessages } from '../components/ChatMessages/ChatMessages';
import { ContextPicker } from '../components/ContextPicker/ContextPicker';
import { ServiceErrorAlert } from '../components/ServiceErrorAlert/ServiceErrorAlert';
import { testIds } from '../components/testIds';
import { conversationToMarkdown } from '../hooks/conversationStore';
import { useAsyncData } from '../hooks/useAsyncData';
import { useChat } from '../hooks/useChat';

/** The three questions of the original plan's training analyst, troubleshooter and optimiser roles. */
export const SUGGESTED_QUESTIONS = [
  'Analyse the current training state',
  'Get optimisation suggestions',
  'Diagnose training problems',
];

function contextFromParams(params: URLSearchParams): ChatContext {
  const num = (k: string) => {
    const v = params.get(k);
    return v !== null && v !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
  };
  return {
    run_id: params.get('run_id') || undefined,
    provider: params.get('provider') || undefined,
    model: params.get('model') || undefined,
    from: num('from'),
    to: num('to'),
  };
}

function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

function Assistant() {
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const context = useMemo(() => contextFromParams(params), [params]);
  const [draft, setDraft] = useState(params.get('q') ?? '');
  const chat = useChat(context);
  const runs = useAsyncData(() => listTrainingRuns().catch(() => []), []);
  const models = useAsyncData(() => getLlmSummary().then((s) => s.models).catch(() => []), []);
  const status = useAsyncData(() => getAssistantStatus(), []);

  // A question handed over by the panel's "Ask a follow-up" is prefilled, not sent on its own.
  const handedOver = params.get('q');
  const [seenHandedOver, setSeenHandedOver] = useState(handedOver);
  if (handedOver !== seenHandedOver) {
    setSeenHandedOver(handedOver);
    if (handedOver) {
      setDraft(handedOver);
    }
  }

  const setContext = (next: ChatContext) => {
    const p = new URLSearchParams();
    Object.entries(next).forEach(([k, v]) => v !== undefined && v !== '' && p.set(k, String(v)));
    setParams(p);
  };

  const submit = (text: string) => {
    if (!text.trim() || chat.streaming) {
      return;
    }
    setDraft('');
    chat.send(text);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      submit(draft);
    }
  };

  return (
    <PluginPage>
      <div data-testid={testIds.assistant.container} className={styles.page}>
        <ContextPicker value={context} onChange={setContext} runs={runs.value ?? []} models={models.value ?? []} />
        {status.value && !status.value.configured && (
          <Alert title="No analysis LLM configured" severity="info">
            The collector has no OPENAI_API_KEY / OPENAI_BASE_URL, so answers are limited to deterministic findings.
          </Alert>
        )}
        {status.error ? <ServiceErrorAlert error={status.error} title="Assistant unavailable" /> : null}

        <ChatMessages messages={chat.messages} pending={chat.pending} />
        {chat.messages.length === 0 && chat.pending === undefined && (
          <Stack direction="row" gap={1} wrap="wrap">
            {SUGGESTED_QUESTIONS.map((q) => (
              <Button key={q} variant="secondary" size="sm" onClick={() => submit(q)} data-testid={testIds.assistant.suggestion}>
                {q}
              </Button>
            ))}
          </Stack>
        )}
        <ServiceErrorAlert error={chat.error} llmError={chat.llmError} />

        <TextArea
          aria-label="Ask the assistant"
          data-testid={testIds.assistant.input}
          placeholder="Ask about this run, model or time range (Enter sends, Shift+Enter adds a line)"
          rows={3}
          value={draft}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={onKeyDown}
        />
        <Stack direction="row" gap={1}>
          {chat.streaming ? (
            <Button variant="destructive" icon="square-shape" onClick={chat.stop} data-testid={testIds.assistant.stop}>
              Stop
            </Button>
          ) : (
            <Button icon="message" onClick={() => submit(draft)} disabled={!draft.trim()} data-testid={testIds.assistant.send}>
              Send
            </Button>
          )}
          <Button
            variant="secondary"
            icon="download-alt"
            disabled={chat.messages.length === 0}
            onClick={() => download('aihub-assistant-conversation.md', conversationToMarkdown(context, chat.messages))}
            data-testid={testIds.assistant.export}
          >
            Export
          </Button>
          <Button variant="secondary" fill="outline" icon="trash-alt" onClick={chat.clear} disabled={chat.messages.length === 0 && !chat.streaming} data-testid={testIds.assistant.clear}>
            Clear
          </Button>
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Assistant;

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(2), maxWidth: 1000 }),
});
