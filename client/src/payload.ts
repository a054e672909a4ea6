import type { PushInput } from '@aihub/core';

/** What POST /v1/push takes (DESIGN.md "Ingest"); the item types of each family. */
export type PushPayload = PushInput;
export type SystemItem = NonNullable<PushInput['system']>[number];
export type BusinessItem = NonNullable<PushInput['business']>[number];
export type LlmItem = NonNullable<PushInput['llm']>[number];
export type TrainingItem = NonNullable<PushInput['training']>[number];
export type SampleItem = NonNullable<PushInput['samples']>[number];

export type Family = 'system' | 'business' | 'llm' | 'training' | 'samples';
export const FAMILIES: Family[] = ['system', 'business', 'llm', 'training', 'samples'];

export type QueuedItem =
  | { family: 'system'; item: SystemItem }
  | { family: 'business'; item: BusinessItem }
  | { family: 'llm'; item: LlmItem }
  | { family: 'training'; item: TrainingItem }
  | { family: 'samples'; item: SampleItem };

/** Groups queued items into one push body. */
export function toPayload(items: QueuedItem[]): PushPayload {
  const out: Record<string, unknown[]> = {};
  for (const q of items) (out[q.family] ??= []).push(q.item);
  return out as PushPayload;
}
