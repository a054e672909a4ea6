import React from 'react';
import { render, screen } from '@testing-library/react';
import { ChatMessages } from './ChatMessages';
import { testIds } from '../testIds';

describe('ChatMessages', () => {
  test('user turns are plain text, assistant turns Markdown, and a pending answer is shown as it streams', () => {
    const { container } = render(
      <ChatMessages
        messages={[
          { role: 'user', content: '**not bold**' },
          { role: 'assistant', content: '**bold**' },
        ]}
        pending="Streaming _answer_"
      />
    );
    expect(screen.getByText('**not bold**')).toBeInTheDocument();
    expect(container.querySelector('[data-role="assistant"] strong')).toHaveTextContent('bold');
    expect(screen.getByTestId(testIds.assistant.pending).querySelector('em')).toHaveTextContent('answer');
    expect(screen.getByRole('log', { name: 'Conversation' })).toBeInTheDocument();
  });

  test('an empty pending answer shows progress', () => {
    render(<ChatMessages messages={[]} pending="" />);
    expect(screen.getByTestId(testIds.assistant.pending)).toBeInTheDocument();
  });
});
