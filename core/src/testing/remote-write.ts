/**
 * Encodes a Prometheus remote write 1.0 `WriteRequest` (float samples only) for tests and
 * benchmarks; snappy-compress it and POST it to /api/v1/write. The collector's decoder is
 * checked against real Prometheus, so this encoder cannot drift unnoticed.
 */
export interface WriteRequestSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestampMs: number }[];
  /** Native histograms: only count (integer), sum and timestamp are encoded. */
  histograms?: { count: number; sum: number; timestampMs: number }[];
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;

/** A series from a name, labels and [timestamp ms, value] points. */
export function remoteSeries(
  name: string,
  labels: Record<string, string>,
  points: [number, number][],
): WriteRequestSeries {
  return {
    labels: [
      { name: '__name__', value: name },
      ...Object.entries(labels).map(([n, v]) => ({ name: n, value: v })),
    ],
    samples: points.map(([timestampMs, value]) => ({ timestampMs, value })),
  };
}

export function encodeWriteRequest(series: WriteRequestSeries[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of series) {
    const inner: Buffer[] = [];
    for (const l of s.labels) {
      inner.push(field(1, Buffer.concat([field(1, Buffer.from(l.name)), field(2, Buffer.from(l.value))])));
    }
    for (const p of s.samples) {
      const d = Buffer.alloc(9);
      d[0] = (1 << 3) | FIXED64;
      d.writeDoubleLE(p.value, 1);
      inner.push(field(2, Buffer.concat([d, Buffer.from([(2 << 3) | VARINT]), varint(p.timestampMs)])));
    }
    for (const h of s.histograms ?? []) {
      const sum = Buffer.alloc(9);
      sum[0] = (3 << 3) | FIXED64;
      sum.writeDoubleLE(h.sum, 1);
      const parts = [
        Buffer.from([(1 << 3) | VARINT]),
        varint(h.count),
        sum,
        varint((15 << 3) | VARINT),
        varint(h.timestampMs),
      ];
      inner.push(field(4, Buffer.concat(parts)));
    }
    parts.push(field(1, Buffer.concat(inner)));
  }
  return Buffer.concat(parts);
}

function field(number: number, payload: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | LENGTH_DELIMITED), varint(payload.length), payload]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n < 0 ? 2 ** 64 + n : n;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}
