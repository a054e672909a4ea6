import type { Labels } from '../types/labels';

import { formatValue } from '../types/value';

const PLACEHOLDER = /\{\{\s*\$(value|threshold|labels\.([a-zA-Z_][a-zA-Z0-9_]*))\s*\}\}/g;

/**
 * Annotation templates in the Prometheus spelling: {{ $value }}, {{ $threshold }},
 * {{ $labels.host }}. Output is plain text; each channel escapes it for its own format.
 */
export function renderTemplate(
  text: string,
  ctx: { value: number | null; threshold?: number; labels: Labels },
): string {
  return text.replace(PLACEHOLDER, (_m, what: string, label?: string) => {
    if (label) return ctx.labels[label] ?? '';
    if (what === 'value') return formatValue(ctx.value);
    return ctx.threshold === undefined ? '' : formatValue(ctx.threshold);
  });
}

export function renderAnnotations(
  annotations: Record<string, string>,
  ctx: { value: number | null; threshold?: number; labels: Labels },
): Record<string, string> {
  return Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, renderTemplate(v, ctx)]));
}
