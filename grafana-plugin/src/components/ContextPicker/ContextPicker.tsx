import React from 'react';
import { dateTime, SelectableValue, TimeRange } from '@grafana/data';
import { Field, Select, Stack, TimeRangeInput } from '@grafana/ui';
import type { ChatContext, LlmSummaryRow, TrainingRun } from '../../api/types';

interface Props {
  value: ChatContext;
  onChange: (next: ChatContext) => void;
  runs: TrainingRun[];
  models: LlmSummaryRow[];
}

function toTimeRange(ctx: ChatContext): TimeRange {
  const to = dateTime(ctx.to ?? Date.now());
  const from = dateTime(ctx.from ?? to.valueOf() - 6 * 3600_000);
  return { from, to, raw: { from, to } };
}

/** Picks what the assistant talks about: a training run, a provider/model, and a time range. */
export function ContextPicker({ value, onChange, runs, models }: Props) {
  const runOptions: Array<SelectableValue<string>> = runs.map((r) => ({
    label: r.run_id,
    value: r.run_id,
    description: r.model_name ?? undefined,
  }));
  const modelOptions: Array<SelectableValue<string>> = models.map((m) => ({
    label: `${m.provider} / ${m.model}`,
    value: `${m.provider}\u0000${m.model}`,
  }));
  const modelValue = value.provider && value.model ? `${value.provider}\u0000${value.model}` : null;
  const hasRange = value.from !== undefined && value.to !== undefined;

  return (
    <Stack direction="row" gap={2} wrap="wrap">
      <Field label="Training run">
        <Select
          inputId="assistant-context-run"
          aria-label="Training run"
          width={30}
          isClearable
          placeholder="Any run"
          options={runOptions}
          value={value.run_id ?? null}
          onChange={(v) => onChange({ ...value, run_id: v?.value || undefined })}
        />
      </Field>
      <Field label="Provider / model">
        <Select
          inputId="assistant-context-model"
          aria-label="Provider / model"
          width={30}
          isClearable
          placeholder="Any model"
          options={modelOptions}
          value={modelValue}
          onChange={(v) => {
            const [provider, model] = v?.value ? v.value.split('\u0000') : [undefined, undefined];
            onChange({ ...value, provider, model });
          }}
        />
      </Field>
      <Field label="Time range">
        <TimeRangeInput
          value={hasRange ? toTimeRange(value) : toTimeRange({})}
          clearable
          onChange={(range) => onChange({ ...value, from: range.from.valueOf(), to: range.to.valueOf() })}
          onChangeTimeZone={() => {}}
          timeZone="browser"
          isReversed={false}
        />
      </Field>
    </Stack>
  );
}
