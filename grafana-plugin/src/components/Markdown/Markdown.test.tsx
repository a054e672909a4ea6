import React from 'react';
import { render } from '@testing-library/react';
import { Markdown } from './Markdown';

describe('Markdown', () => {
  test('renders Markdown formatting', () => {
    const { container } = render(<Markdown text={'**Overfitting** since epoch 12\n\n- lower the LR\n- add dropout'} />);
    expect(container.querySelector('strong')).toHaveTextContent('Overfitting');
    expect(container.querySelectorAll('li')).toHaveLength(2);
  });

  test('model output cannot inject scripts or event handlers', () => {
    const { container } = render(
      <Markdown text={'<script>window.pwned=1</script><img src=x onerror="window.pwned=1"><a href="javascript:alert(1)">x</a>'} />
    );
    expect(container.querySelector('script')).toBeNull();
    expect(container.innerHTML).not.toMatch(/onerror/);
    expect(container.innerHTML).not.toMatch(/javascript:/);
  });
});
