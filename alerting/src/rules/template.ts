import type { Labels } from './labels';

/** A readable number for messages: integers as is, others to 4 significant digits. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'no data';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

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
