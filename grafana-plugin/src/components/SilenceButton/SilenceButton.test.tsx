import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SilenceButton } from './SilenceButton';

describe('SilenceButton', () => {
  test('the presets silence for 1, 4 and 24 hours', async () => {
    const onSilence = jest.fn();
    render(<SilenceButton onSilence={onSilence} />);
    for (const [label, ms] of [
      ['Silence for 1 hour', 3_600_000],
      ['Silence for 4 hours', 14_400_000],
      ['Silence for 24 hours', 86_400_000],
    ] as const) {
      await userEvent.click(screen.getByRole('button', { name: /silence/i }));
      await userEvent.click(await screen.findByRole('menuitem', { name: label }));
      expect(onSilence).toHaveBeenLastCalledWith(ms, '');
    }
  });

  test('a custom silence takes a duration and a comment, and refuses nonsense', async () => {
    const onSilence = jest.fn();
    render(<SilenceButton onSilence={onSilence} />);
    await userEvent.click(screen.getByRole('button', { name: /silence/i }));
    await userEvent.click(await screen.findByRole('menuitem', { name: 'Custom…' }));
    const duration = await screen.findByLabelText(/^Duration/);
    await userEvent.clear(duration);
    await userEvent.type(duration, 'later');
    expect(screen.getByRole('button', { name: 'Create silence' })).toBeDisabled();
    await userEvent.clear(duration);
    await userEvent.type(duration, '90m');
    await userEvent.type(screen.getByLabelText('Comment'), 'deploy window');
    await userEvent.click(screen.getByRole('button', { name: 'Create silence' }));
    expect(onSilence).toHaveBeenCalledWith(5_400_000, 'deploy window');
  });
});
