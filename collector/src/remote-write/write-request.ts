/**
 * A decoder for Prometheus remote write 1.0's `prometheus.WriteRequest` (prompb/remote.proto,
 * types.proto): time series with labels, float samples and native histograms (count and sum
 * only). Exemplars, metadata and unknown fields are skipped. Hand-written rather than through
 * protobufjs because every sample carries an int64 timestamp, which protobufjs decodes into a
 * Long object: this reads it as a plain number and is the hot path of remote write.
 */

export interface RemoteLabel {
  name: string;
  value: string;
}
export interface RemoteSample {
  value: number;
  timestampMs: number;
}
/** A native histogram point: what the receiver stores of it. */
export interface RemoteHistogram {
  count: number;
  sum: number;
  timestampMs: number;
}
export interface RemoteSeries {
  labels: RemoteLabel[];
  samples: RemoteSample[];
  histograms: RemoteHistogram[];
  /**
   * The bytes of the series' label fields as they were sent (latin1, one char per byte): the
   * same labels spelled the same way give the same string, so it can key a cache of what the
   * labels mean without decoding them again. Absent for a series not read from the wire.
   */
  labelBytes?: string;
}

/**
 * A series read from a request: its labels are decoded only when read, since a receiver that
 * knows the series by its label bytes never needs them.
 */
class DecodedSeries implements RemoteSeries {
  readonly samples: RemoteSample[] = [];
  readonly histograms: RemoteHistogram[] = [];
  labelBytes?: string;
  private decoded?: RemoteLabel[];

  constructor(
    private readonly buf: Buffer,
    /** Start and end of each label message, in pairs. */
    private readonly labelRanges: number[],
  ) {}

  get labels(): RemoteLabel[] {
    if (!this.decoded) {
      this.decoded = [];
      for (let i = 0; i < this.labelRanges.length; i += 2)
        this.decoded.push(label(new Reader(this.buf, this.labelRanges[i], this.labelRanges[i + 1])));
    }
    return this.decoded;
  }
}

export class ProtobufError extends Error {}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** An unsigned varint as a JS number (exact up to 2^53). */
  varint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * factor;
      if (b < 0x80) return result;
      factor *= 128;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  /** An int64 varint: negative numbers come as 10-byte two's complement. */
  int64(): number {
    const v = this.varint();
    return v >= 2 ** 63 ? v - 2 ** 64 : v;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtobufError('truncated double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** The bounds of a length-delimited field. */
  bytes(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) throw new ProtobufError('length-delimited field runs past its message');
    this.pos += len;
    return [start, start + len];
  }

  string(): string {
    const [s, e] = this.bytes();
    return this.buf.toString('utf8', s, e);
  }

  skip(wireType: number): void {
    if (wireType === VARINT) this.varint();
    else if (wireType === FIXED64) this.advance(8);
    else if (wireType === LENGTH_DELIMITED) this.bytes();
    else if (wireType === FIXED32) this.advance(4);
    else throw new ProtobufError(`unsupported wire type ${wireType}`);
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new ProtobufError('truncated field');
    this.pos += n;
  }

  sub([start, end]: [number, number]): Reader {
    return new Reader(this.buf, start, end);
  }
}

/** Decodes a (decompressed) WriteRequest; throws ProtobufError on malformed input. */
export function decodeWriteRequest(buf: Buffer): RemoteSeries[] {
  const r = new Reader(buf, 0, buf.length);
  const series: RemoteSeries[] = [];
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) series.push(timeSeries(r.sub(r.bytes())));
    else r.skip(tag & 7); // metadata (3) and anything newer
  }
  return series;
}

function timeSeries(r: Reader): RemoteSeries {
  const labelRanges: number[] = [];
  const out = new DecodedSeries(r.buf, labelRanges);
  // From the first label field's tag to the end of the last: the same bytes, the same labels
  // (whatever lies between them is part of the key too, so a match is never wrong).
  let labelsStart = -1;
  let labelsEnd = -1;
  while (!r.done) {
    const fieldStart = r.pos;
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === LENGTH_DELIMITED) {
      const [start, end] = r.bytes();
      checkLabel(new Reader(r.buf, start, end)); // malformed is a 400 now, not when first read
      labelRanges.push(start, end);
      if (labelsStart < 0) labelsStart = fieldStart;
      labelsEnd = end;
    } else if (field === 2 && (tag & 7) === LENGTH_DELIMITED) out.samples.push(sample(r.sub(r.bytes())));
    else if (field === 4 && (tag & 7) === LENGTH_DELIMITED) out.histograms.push(histogram(r.sub(r.bytes())));
    else r.skip(tag & 7); // exemplars (3) are ignored
  }
  if (labelsStart >= 0) out.labelBytes = r.buf.toString('latin1', labelsStart, labelsEnd);
  return out;
}

/** Walks a Label message as label() reads it, making no strings: throws where label() would. */
function checkLabel(r: Reader): void {
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | LENGTH_DELIMITED) || tag === ((2 << 3) | LENGTH_DELIMITED)) r.bytes();
    else r.skip(tag & 7);
  }
}

function label(r: Reader): RemoteLabel {
  let name = '';
  let value = '';
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | LENGTH_DELIMITED)) name = r.string();
    else if (tag === ((2 << 3) | LENGTH_DELIMITED)) value = r.string();
    else r.skip(tag & 7);
  }
  return { name, value };
}

function sample(r: Reader): RemoteSample {
  let value = 0;
  let timestampMs = 0;
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | FIXED64)) value = r.double();
    else if (tag === ((2 << 3) | VARINT)) timestampMs = r.int64();
    else r.skip(tag & 7);
  }
  return { value, timestampMs };
}

function histogram(r: Reader): RemoteHistogram {
  let count = 0;
  let sum = 0;
  let timestampMs = 0;
  while (!r.done) {
    const tag = r.varint();
    if (tag === ((1 << 3) | VARINT))
      count = r.varint(); // count_int
    else if (tag === ((2 << 3) | FIXED64))
      count = r.double(); // count_float
    else if (tag === ((3 << 3) | FIXED64)) sum = r.double();
    else if (tag === ((15 << 3) | VARINT)) timestampMs = r.int64();
    else r.skip(tag & 7); // schema, buckets, spans, reset hint
  }
  return { count, sum, timestampMs };
}
