import type { ChatContext, ChatMessage } from '../api/types';

const PREFIX = 'aihub-observability-app.conversation.';

/** A stable key for a context: the same run, model and range share one conversation. */
export function contextKey(context: ChatContext): string {
  const parts = [
    `run=${context.run_id ?? ''}`,
    `provider=${context.provider ?? ''}`,
    `model=${context.model ?? ''}`,
    `from=${context.from ?? ''}`,
    `to=${context.to ?? ''}`,
  ];
  return parts.join('&');
}

/** Conversations live in the browser's localStorage, one entry per context. */
export function loadConversation(context: ChatContext, storage: Storage = window.localStorage): ChatMessage[] {
  try {
    const raw = storage.getItem(PREFIX + contextKey(context));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed)
      ? parsed.filter(
          (m): m is ChatMessage =>
            !!m && typeof m.content === 'string' && (m.role === 'user' || m.role === 'assistant' || m.role === 'system')
        )
      : [];
  } catch {
    return [];
  }
}

export function saveConversation(context: ChatContext, messages: ChatMessage[], storage: Storage = window.localStorage) {
  try {
    if (messages.length === 0) {
      storage.removeItem(PREFIX + contextKey(context));
    } else {
      storage.setItem(PREFIX + contextKey(context), JSON.stringify(messages));
    }
  } catch {
    // Storage full or disabled: the conversation still works, it is just not kept.
  }
}

/** A Markdown transcript for the export button. */
export function conversationToMarkdown(context: ChatContext, messages: ChatMessage[]): string {
  const header = ['# AI Hub assistant conversation', ''];
  const ctx = Object.entries(context)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `- ${k}: ${k === 'from' || k === 'to' ? new Date(Number(v)).toISOString() : v}`);
  const body = messages.map((m) => `## ${m.role === 'user' ? 'You' : m.role === 'assistant' ? 'Assistant' : 'System'}\n\n${m.content}\n`);
  return [...header, ...(ctx.length ? ['Context:', ...ctx, ''] : []), ...body].join('\n');
}
