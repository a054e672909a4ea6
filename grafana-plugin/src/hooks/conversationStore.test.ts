import { contextKey, conversationToMarkdown, loadConversation, saveConversation } from './conversationStore';

describe('conversation store', () => {
  beforeEach(() => window.localStorage.clear());

  test('conversations are kept per context', () => {
    saveConversation({ run_id: 'r1' }, [{ role: 'user', content: 'a' }]);
    saveConversation({ run_id: 'r2' }, [{ role: 'user', content: 'b' }]);
    expect(loadConversation({ run_id: 'r1' })).toEqual([{ role: 'user', content: 'a' }]);
    expect(loadConversation({ run_id: 'r2' })).toEqual([{ role: 'user', content: 'b' }]);
    expect(loadConversation({ run_id: 'r3' })).toEqual([]);
  });

  test('the key depends on every context field', () => {
    expect(contextKey({ run_id: 'r', from: 1, to: 2 })).not.toBe(contextKey({ run_id: 'r', from: 1, to: 3 }));
    expect(contextKey({ provider: 'openai', model: 'gpt-4o' })).not.toBe(contextKey({ provider: 'openai' }));
  });

  test('corrupt or foreign stored values are ignored', () => {
    window.localStorage.setItem(`aihub-observability-app.conversation.${contextKey({})}`, '{not json');
    expect(loadConversation({})).toEqual([]);
    window.localStorage.setItem(`aihub-observability-app.conversation.${contextKey({})}`, JSON.stringify([{ role: 'hacker', content: 1 }, { role: 'user', content: 'ok' }]));
    expect(loadConversation({})).toEqual([{ role: 'user', content: 'ok' }]);
  });

  test('saving an empty conversation removes it', () => {
    saveConversation({}, [{ role: 'user', content: 'a' }]);
    saveConversation({}, []);
    expect(window.localStorage.length).toBe(0);
  });

  test('the export is a Markdown transcript with the context', () => {
    const md = conversationToMarkdown({ run_id: 'r1', from: 0, to: 3600000 }, [
      { role: 'user', content: 'Why?' },
      { role: 'assistant', content: 'Because **overfitting**.' },
    ]);
    expect(md).toContain('- run_id: r1');
    expect(md).toContain('- from: 1970-01-01T00:00:00.000Z');
    expect(md).toContain('## You\n\nWhy?');
    expect(md).toContain('## Assistant\n\nBecause **overfitting**.');
  });
});
