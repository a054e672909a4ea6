/**
 * Label values, run ids and model names come from whoever pushes metrics. Before they reach
 * a prompt they are bounded and stripped of control characters; the facts they sit in are
 * JSON (so every value is quoted) with < and > escaped (so no value can close the block).
 */
export const MAX_LABEL_CHARS = 120;

export function boundText(value: string, max = MAX_LABEL_CHARS): string {
  const clean = value
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export function boundLabels(labels: Record<string, string>, maxLabels = 16): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels).slice(0, maxLabels))
    out[boundText(k, 64)] = boundText(String(v));
  return out;
}

/** JSON with <, > and & escaped: safe to embed between tags in a prompt. */
export function dataJson(value: unknown): string {
  return JSON.stringify(value, null, 1)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026');
}
