/** A readable number for messages: integers as is, others to 4 significant digits. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'no data';
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}
