import { PanelPlugin } from '@grafana/data';
import { LlmAnalysisPanel } from './LlmAnalysisPanel';
import { defaultOptions, LlmAnalysisOptions } from './options';

export const plugin = new PanelPlugin<LlmAnalysisOptions>(LlmAnalysisPanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'kind',
      name: 'Analysis kind',
      description: 'Which diagnostics the collector runs on the series',
      defaultValue: defaultOptions.kind,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'training', label: 'Training' },
          { value: 'llm', label: 'LLM usage' },
          { value: 'system', label: 'System' },
        ],
      },
    })
    .addRadio({
      path: 'trigger',
      name: 'Run',
      description: 'Analyse on every refresh, or only when the button is pressed (LLM calls cost money)',
      defaultValue: defaultOptions.trigger,
      settings: {
        options: [
          { value: 'button', label: 'On button' },
          { value: 'refresh', label: 'On refresh' },
        ],
      },
    })
    .addNumberInput({
      path: 'maxSeries',
      name: 'Max series',
      defaultValue: defaultOptions.maxSeries,
      settings: { min: 1, max: 100, integer: true },
    })
    .addNumberInput({
      path: 'maxPoints',
      name: 'Max points per series',
      defaultValue: defaultOptions.maxPoints,
      settings: { min: 2, max: 5000, integer: true },
    })
    .addTextInput({
      path: 'question',
      name: 'Question',
      description: 'Optional question for the LLM, e.g. "Is this run overfitting?"',
      defaultValue: defaultOptions.question,
      settings: { useTextarea: true, rows: 2 },
    })
);
