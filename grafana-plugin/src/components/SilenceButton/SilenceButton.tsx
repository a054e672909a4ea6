import React, { useState } from 'react';
import { Button, Dropdown, Field, Input, Menu, Modal } from '@grafana/ui';
import { parseDuration } from './silenceRequest';
import { testIds } from '../testIds';

const PRESETS = [
  { label: 'Silence for 1 hour', ms: 3_600_000 },
  { label: 'Silence for 4 hours', ms: 4 * 3_600_000 },
  { label: 'Silence for 24 hours', ms: 24 * 3_600_000 },
];

interface Props {
  /** Called with the chosen duration and an optional comment. */
  onSilence: (durationMs: number, comment: string) => void;
  disabled?: boolean;
}

/** Silence menu: 1 h / 4 h / 24 h, or a custom duration and comment in a dialog. */
export function SilenceButton({ onSilence, disabled }: Props) {
  const [customOpen, setCustomOpen] = useState(false);
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const parsed = parseDuration(duration);

  const menu = (
    <Menu>
      {PRESETS.map((p) => (
        <Menu.Item key={p.ms} label={p.label} onClick={() => onSilence(p.ms, '')} />
      ))}
      <Menu.Item label="Custom…" onClick={() => setCustomOpen(true)} />
    </Menu>
  );

  return (
    <>
      <Dropdown overlay={menu} placement="bottom-end">
        <Button size="sm" variant="secondary" icon="bell-slash" disabled={disabled} data-testid={testIds.alerts.silence}>
          Silence
        </Button>
      </Dropdown>
      <Modal title="Custom silence" isOpen={customOpen} onDismiss={() => setCustomOpen(false)}>
        <Field label="Duration" description="For example 90m, 2h, 3d" invalid={!parsed} error={parsed ? undefined : 'Enter a duration like 90m or 2h'}>
          <Input id="silence-duration" value={duration} onChange={(e) => setDuration(e.currentTarget.value)} />
        </Field>
        <Field label="Comment">
          <Input id="silence-comment" value={comment} onChange={(e) => setComment(e.currentTarget.value)} />
        </Field>
        <Modal.ButtonRow>
          <Button variant="secondary" fill="outline" onClick={() => setCustomOpen(false)}>
            Cancel
          </Button>
          <Button
            disabled={!parsed}
            onClick={() => {
              if (parsed) {
                setCustomOpen(false);
                onSilence(parsed, comment);
              }
            }}
          >
            Create silence
          </Button>
        </Modal.ButtonRow>
      </Modal>
    </>
  );
}
