import React from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ContextPicker } from './ContextPicker';

const runs = [
  { run_id: 'resnet50-lr3e-4', model_name: 'ResNet50' },
  { run_id: 'vit-b16', model_name: 'ViT' },
];
const models = [{ provider: 'openai', model: 'gpt-4o' }];

describe('ContextPicker', () => {
  test('picking a run and a model reports the new context', async () => {
    const onChange = jest.fn();
    const { rerender } = render(<ContextPicker value={{}} onChange={onChange} runs={runs} models={models} />);
    await userEvent.click(screen.getByLabelText('Training run'));
    await userEvent.click(await screen.findByText('vit-b16'));
    expect(onChange).toHaveBeenLastCalledWith({ run_id: 'vit-b16' });

    rerender(<ContextPicker value={{ run_id: 'vit-b16' }} onChange={onChange} runs={runs} models={models} />);
    await userEvent.click(screen.getByLabelText('Provider / model'));
    await userEvent.click(await screen.findByText('openai / gpt-4o'));
    expect(onChange).toHaveBeenLastCalledWith({ run_id: 'vit-b16', provider: 'openai', model: 'gpt-4o' });
  });

  test('the current run is shown', () => {
    render(<ContextPicker value={{ run_id: 'resnet50-lr3e-4' }} onChange={jest.fn()} runs={runs} models={models} />);
    expect(screen.getByText('resnet50-lr3e-4')).toBeInTheDocument();
  });
});
