import React, { useEffect, useRef } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { LoadingBar, useStyles2 } from '@grafana/ui';
import type { ChatMessage } from '../../api/types';
import { Markdown } from '../Markdown/Markdown';
import { testIds } from '../testIds';

interface Props {
  messages: ChatMessage[];
  pending?: string;
}

/** The conversation: user turns as plain text, assistant turns as sanitised Markdown, newest in view. */
export function ChatMessages({ messages, pending }: Props) {
  const styles = useStyles2(getStyles);
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [messages.length, pending]);

  return (
    <div className={styles.list} data-testid={testIds.assistant.messages} role="log" aria-live="polite" aria-label="Conversation">
      {messages.map((m, i) => (
        <div key={i} className={m.role === 'user' ? styles.user : styles.assistant} data-role={m.role}>
          <div className={styles.who}>{m.role === 'user' ? 'You' : 'Assistant'}</div>
          {m.role === 'user' ? <div className={styles.plain}>{m.content}</div> : <Markdown text={m.content} />}
        </div>
      ))}
      {pending !== undefined && (
        <div className={styles.assistant} data-role="assistant" aria-busy="true">
          <div className={styles.who}>Assistant</div>
          {pending ? (
            <Markdown text={pending} data-testid={testIds.assistant.pending} />
          ) : (
            <div data-testid={testIds.assistant.pending}>
              <LoadingBar width={120} />
            </div>
          )}
        </div>
      )}
      <div ref={end} />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(1.5), padding: theme.spacing(1, 0) }),
  user: css({
    alignSelf: 'flex-end',
    maxWidth: '80%',
    background: theme.colors.primary.transparent,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 1.5),
  }),
  assistant: css({
    alignSelf: 'flex-start',
    maxWidth: '90%',
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.default,
    padding: theme.spacing(1, 1.5),
  }),
  who: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary, marginBottom: theme.spacing(0.5) }),
  plain: css({ whiteSpace: 'pre-wrap' }),
});
