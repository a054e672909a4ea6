/**
 * Float32 arrays as base64 for persisted detector state: about a third of the size of JSON
 * numbers. Lossless for values already rounded with Math.fround, which is why the detector
 * keeps such histories in float32 precision in memory too (a restored detector then
 * continues exactly like the original).
 */
export function packFloat32(values: readonly number[]): string {
  const a = Float32Array.from(values);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

export function unpackFloat32(packed: string): number[] {
  const bytes = Buffer.from(packed, 'base64');
  if (bytes.length % 4 !== 0) throw new Error('packed float32 array has a partial value');
  const copy = new Uint8Array(bytes); // aligned for the Float32Array view
  return Array.from(new Float32Array(copy.buffer, 0, copy.length / 4));
}

/** A persisted number list: a packed float32 string (current) or a JSON array (older states). */
export function readFloatList(value: unknown, what: string): number[] {
  if (typeof value === 'string') return unpackFloat32(value);
  if (Array.isArray(value)) return value.map(Number);
  throw new Error(`${what}: expected a list of numbers`);
}
