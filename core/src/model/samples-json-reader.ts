import { defaultLimits, type IngestLimits } from './limits';
import { arePlainLabels, isPlainMetricName, isPlainTimestamp, isPlainValue } from './push-fast-path';
import { decimalToDoubleIn, MAX_FRACTION_DIGITS, MAX_TAIL_DIGITS } from './exact-decimal';
import type { SampleColumns } from './rows';
import { isReservedKey } from './safe-input';
import { seriesKey } from './series-key';

// Bytes of the JSON grammar the reader looks at.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

const SAMPLES_KEY = Buffer.from('"samples"');
// Fields of a sample, as bits of the "seen" set (a repeated field is left to JSON.parse).
const NAME = 1;
const VALUE = 2;
const LABELS = 4;
const TS = 8;

/** Series text the reader remembers; beyond this it starts over (memory stays bounded). */
const MAX_SERIES = 100_000;
/** Significant digits that always fit in 53 bits (head); the rest go to tail. */
const MAX_FAST_DIGITS = 15;

// FNV-1a over the bytes of the strings scanned since the last reset: the scans below hash as
// they go, so a sample's name and labels are looked up without a second pass over them.
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
let hash = FNV_OFFSET;

/** One series as it was spelled in a body: its name and labels bytes, validated once. */
interface SeriesText {
  name: Buffer;
  labels: Buffer;
  key: string;
  metric: string;
  /** The read that last listed this series' name (distinct names per body). */
  seenIn: number;
  next: SeriesText | undefined;
  /**
   * The last sample of this series read in full, byte for byte, and where its numbers were
   * (`numberAt`: start and end of each, `numberField`: VALUE or TS): a sample spelled the same
   * but for its numbers is this series again, and as valid.
   */
  sampleBytes: Buffer | undefined;
  sampleView: DataView | undefined;
  numberAt: number[];
  numberField: number[];
  fields: number;
  /** The series whose sample came next last time: clients list their series in a steady order. */
  successor: SeriesText | undefined;
  /** Series memory is dropped when full; a guess from before that is not followed. */
  generation: number;
}

/**
 * Reads the push most clients send — `{"samples":[{name, value, labels, ts}, …]}` — straight
 * from the body's bytes into columns. JSON.parse would build two objects and three strings per
 * sample, and they would live until the commit; this builds none: each sample's name and labels
 * are looked up by their bytes among the series seen before (validated by the fast path's own
 * rules when first seen, so it accepts exactly what createFastPushParser accepts).
 *
 * It answers undefined for anything else — other fields, escapes in strings, a repeated key, a
 * value the fast path would not take — and the caller parses the body as usual, so the schema
 * still decides, and names, every error. It must never accept what the schema rejects:
 * samples-json-reader.test.ts checks it against JSON.parse and the schema.
 */
export class SamplesJsonReader {
  private readonly series = new Map<number, SeriesText>();
  private seriesCount = 0;
  private generation = 0;
  private reads = 0;
  // Where the sample being read keeps its fields (no object per sample).
  private nameStart = 0;
  private nameEnd = 0;
  private labelsStart = 0;
  private labelsEnd = 0;
  private number = 0;
  /** What readNumber hands decimalToDoubleIn (no double crosses that call, so none is boxed). */
  private readonly decimal = new Float64Array(4);
  private nameHash = 0;
  private labelsHash = 0;
  /** The series of the first sample of the last body read (the guess for the next one). */
  private firstSeries: SeriesText | undefined;
  // Where sample() found the numbers of the sample it read (start and end, in order).
  private numberAt: number[] = [];
  private numberField: number[] = [];
  private sampleStart = 0;
  private view: DataView = new DataView(new ArrayBuffer(0));
  /** The body being read, as a Buffer: numbers with an exponent or of over 19 digits go to Number(). */
  private bytes: Buffer = Buffer.alloc(0);

  constructor(private readonly limits: IngestLimits = defaultLimits) {}

  /** The samples of `body`, stamped `nowMs` where they carry no ts; undefined: not this shape. */
  read(body: Uint8Array, nowMs: number): SampleColumns | undefined {
    const b = body;
    this.bytes = Buffer.from(b.buffer, b.byteOffset, b.length);
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
    let i = ws(b, 0);
    if (b[i] !== LBRACE) return undefined;
    i = ws(b, i + 1);
    for (let k = 0; k < SAMPLES_KEY.length; k++) if (b[i + k] !== SAMPLES_KEY[k]) return undefined;
    i = ws(b, i + SAMPLES_KEY.length);
    if (b[i] !== COLON) return undefined;
    i = ws(b, i + 1);
    if (b[i] !== LBRACKET) return undefined;
    i = ws(b, i + 1);

    const latestMs = nowMs + this.limits.maxFutureMs;
    const read = ++this.reads;
    let capacity = Math.min(this.limits.maxItems, Math.max(16, b.length >> 6));
    let timesMs: Float64Array = new Float64Array(capacity);
    let values: Float64Array = new Float64Array(capacity);
    // Sized like the columns and trimmed at the end: pushing one by one grew it twice as often.
    const keys = new Array<string>(capacity);
    const names = new Set<string>();
    let count = 0;
    let previous: SeriesText | undefined;
    if (b[i] === RBRACKET) i++;
    else
      for (;;) {
        if (count === this.limits.maxItems) return undefined;
        // The series that followed the previous one last time, if this sample is spelled as it
        // was then; otherwise the sample is read in full and its series looked up.
        const guess = previous === undefined ? this.firstSeries : previous.successor;
        let series: SeriesText | undefined;
        let seen =
          guess === undefined || guess.generation !== this.generation ? -1 : this.sampleLike(b, i, guess);
        if (seen >= 0) series = guess;
        else {
          this.sampleStart = i;
          seen = this.sample(b, i);
          if (seen < 0) return undefined;
        }
        i = this.nextIndex;
        let ts = nowMs;
        if ((seen & TS) !== 0) {
          ts = this.tsValue;
          if (!isPlainTimestamp(ts, latestMs)) return undefined;
        }
        const value = this.valueValue;
        if (!isPlainValue(value)) return undefined;
        if (series === undefined) {
          series = this.lookup(b);
          if (series === undefined) return undefined;
          if (series.sampleBytes === undefined || series === guess) this.remember(series, b, seen);
        }
        if (previous === undefined) this.firstSeries = series;
        else previous.successor = series;
        previous = series;
        if (series.seenIn !== read) {
          series.seenIn = read; // a name once per spelling and body, not once per sample
          names.add(series.metric);
        }
        if (count === capacity) {
          capacity = Math.min(this.limits.maxItems, capacity * 2);
          timesMs = grow(timesMs, capacity);
          values = grow(values, capacity);
        }
        timesMs[count] = ts;
        values[count] = value;
        keys[count] = series.key;
        count++;
        i = ws(b, i);
        if (b[i] === COMMA) {
          i = ws(b, i + 1);
          continue;
        }
        if (b[i] !== RBRACKET) return undefined;
        i++;
        break;
      }
    i = ws(b, i);
    if (b[i] !== RBRACE) return undefined;
    if (ws(b, i + 1) !== b.length) return undefined;
    keys.length = count;
    return {
      count,
      keys,
      timesMs: timesMs.subarray(0, count),
      values: values.subarray(0, count),
      names: [...names],
    };
  }

  // Results of sample(): where it ended, its value and ts.
  private nextIndex = 0;
  private valueValue = 0;
  private tsValue = 0;

  /** Reads one sample object at i; returns the fields it had (bits), or -1. */
  private sample(b: Uint8Array, i: number): number {
    if (b[i] !== LBRACE) return -1;
    i = ws(b, i + 1);
    let seen = 0;
    this.numberAt.length = 0;
    this.numberField.length = 0;
    this.labelsStart = this.labelsEnd = 0;
    this.labelsHash = FNV_OFFSET;
    for (;;) {
      if (b[i] !== QUOTE) return -1;
      const k = i + 1;
      const end = stringEnd(b, k);
      if (end < 0) return -1;
      const field = fieldOf(b, k, end - k);
      if (field === 0 || (seen & field) !== 0) return -1;
      seen |= field;
      i = ws(b, end + 1);
      if (b[i] !== COLON) return -1;
      i = ws(b, i + 1);
      if (field === NAME) {
        if (b[i] !== QUOTE) return -1;
        hash = FNV_OFFSET;
        const e = hashedStringEnd(b, i + 1);
        if (e < 0) return -1;
        this.nameHash = hash;
        this.nameStart = i + 1;
        this.nameEnd = e;
        i = e + 1;
      } else if (field === LABELS) {
        hash = FNV_OFFSET;
        const e = labelsEnd(b, i);
        if (e < 0) return -1;
        this.labelsHash = hash;
        this.labelsStart = i;
        this.labelsEnd = e;
        i = e;
      } else {
        const e = this.readNumber(b, i);
        if (e < 0) return -1;
        if (field === VALUE) this.valueValue = this.number;
        else this.tsValue = this.number;
        this.numberAt.push(i, e);
        this.numberField.push(field);
        i = e;
      }
      i = ws(b, i);
      if (b[i] === COMMA) {
        i = ws(b, i + 1);
        continue;
      }
      if (b[i] !== RBRACE) return -1;
      this.nextIndex = i + 1;
      return (seen & (NAME | VALUE)) === (NAME | VALUE) ? seen : -1;
    }
  }

  /**
   * Reads the sample at i if it is spelled as `series`' last one but for its numbers: same
   * bytes around them (so the same fields, name, labels and spacing), and numbers in their
   * places. Returns its fields (bits) with nextIndex, valueValue and tsValue set, or -1.
   */
  private sampleLike(b: Uint8Array, i: number, series: SeriesText): number {
    const t = series.sampleBytes!;
    const view = this.view;
    const at = series.numberAt;
    let from = 0;
    for (let n = 0; n <= at.length; n += 2) {
      const to = n < at.length ? at[n] : t.length;
      if (i + to - from > b.length) return -1;
      // Four bytes at a time, then the rest.
      let j = from;
      for (; j + 4 <= to; j += 4, i += 4)
        if (view.getUint32(i) !== series.sampleView!.getUint32(j)) return -1;
      for (; j < to; j++, i++) if (b[i] !== t[j]) return -1;
      if (n === at.length) break;
      const e = this.readNumber(b, i);
      if (e < 0) return -1;
      if (series.numberField[n >> 1] === VALUE) this.valueValue = this.number;
      else this.tsValue = this.number;
      i = e;
      from = at[n + 1];
    }
    this.nextIndex = i;
    return series.fields;
  }

  /** Keeps the sample sample() just read (from sampleStart) as `series`' spelling. */
  private remember(series: SeriesText, b: Uint8Array, fields: number): void {
    const start = this.sampleStart;
    series.sampleBytes = Buffer.from(b.subarray(start, this.nextIndex));
    series.sampleView = new DataView(
      series.sampleBytes.buffer,
      series.sampleBytes.byteOffset,
      series.sampleBytes.length,
    );
    series.numberAt = this.numberAt.map((p) => p - start);
    series.numberField = this.numberField.slice();
    series.fields = fields;
  }

  /** A JSON number at i into this.number; returns the index after it, or -1. */
  private readNumber(b: Uint8Array, i: number): number {
    const start = i;
    let negative = false;
    if (b[i] === MINUS) {
      negative = true;
      i++;
    }
    // The first 15 significant digits in head (exact), the next ones in tail.
    let head = 0;
    let headDigits = 0;
    let tail = 0;
    let tailDigits = 0;
    let c = b[i];
    if (c === ZERO) i++;
    else if (c > ZERO && c <= NINE) {
      for (; (c = b[i]) >= ZERO && c <= NINE && headDigits < MAX_FAST_DIGITS; i++, headDigits++)
        head = head * 10 + (c - ZERO);
      for (; (c = b[i]) >= ZERO && c <= NINE; i++, tailDigits++) tail = tail * 10 + (c - ZERO);
    } else return -1;
    let fraction = 0;
    if (b[i] === DOT) {
      i++;
      const first = i;
      if (head === 0) while (b[i] === ZERO) i++; // leading zeros are not significant
      for (; (c = b[i]) >= ZERO && c <= NINE && headDigits < MAX_FAST_DIGITS; i++, headDigits++)
        head = head * 10 + (c - ZERO);
      for (; (c = b[i]) >= ZERO && c <= NINE; i++, tailDigits++) tail = tail * 10 + (c - ZERO);
      fraction = i - first;
      if (fraction === 0) return -1;
    }
    let exponent = false;
    if ((b[i] | 0x20) === 0x65) {
      // e or E
      exponent = true;
      i++;
      if (b[i] === PLUS || b[i] === MINUS) i++;
      const first = i;
      while ((c = b[i]) >= ZERO && c <= NINE) i++;
      if (i === first) return -1;
    }
    const d = this.decimal;
    d[0] = head;
    d[1] = tail;
    d[2] = tailDigits;
    d[3] = fraction;
    if (!exponent && fraction <= MAX_FRACTION_DIGITS && tailDigits <= MAX_TAIL_DIGITS && decimalToDoubleIn(d))
      this.number = negative ? -d[0] : d[0];
    else this.number = Number(this.bytes.toString('latin1', start, i)); // exponents, near ties, long digits
    return i;
  }

  /** The series spelled by the current sample's name and labels bytes; undefined: not plain. */
  private lookup(b: Uint8Array): SeriesText | undefined {
    const { nameStart, nameEnd, labelsStart, labelsEnd } = this;
    // A function of the two byte ranges alone, whichever field came first.
    const h = Math.imul(this.nameHash, 31) ^ this.labelsHash;
    for (let s = this.series.get(h); s !== undefined; s = s.next)
      if (sameBytes(s.name, b, nameStart, nameEnd) && sameBytes(s.labels, b, labelsStart, labelsEnd))
        return s;
    return this.admit(h);
  }

  /** First sight of a spelling: the fast path's rules decide, then it is remembered. */
  private admit(hash: number): SeriesText | undefined {
    const bytes = this.bytes;
    const metric = bytes.toString('utf8', this.nameStart, this.nameEnd);
    if (!isPlainMetricName(metric, this.limits)) return undefined;
    let labels: Record<string, string> = {};
    if (this.labelsEnd > this.labelsStart) {
      // Well-formed by labelsEnd's scan; JSON.parse keeps the last of a repeated label, as the
      // whole-body parse would.
      labels = JSON.parse(bytes.toString('utf8', this.labelsStart, this.labelsEnd)) as Record<string, string>;
      if (!arePlainLabels(labels, this.limits)) return undefined;
      // constructor and prototype: the body check refuses them as keys (safe-input.ts).
      for (const k in labels) if (isReservedKey(k)) return undefined;
    }
    if (this.seriesCount >= MAX_SERIES) {
      this.series.clear();
      this.seriesCount = 0;
      this.firstSeries = undefined;
      this.generation++; // successors still point among the old ones: never guessed again
    }
    const entry: SeriesText = {
      name: Buffer.from(bytes.subarray(this.nameStart, this.nameEnd)),
      labels: Buffer.from(bytes.subarray(this.labelsStart, this.labelsEnd)),
      key: seriesKey(metric, labels),
      metric,
      seenIn: 0,
      next: this.series.get(hash),
      sampleBytes: undefined,
      sampleView: undefined,
      numberAt: [],
      numberField: [],
      fields: 0,
      successor: undefined,
      generation: this.generation,
    };
    this.series.set(hash, entry);
    this.seriesCount++;
    return entry;
  }
}

/** The index of the first non-whitespace byte at or after i. */
function ws(b: Uint8Array, i: number): number {
  let c;
  while ((c = b[i]) === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
  return i;
}

/** The index of the closing quote of a string starting at i; -1 for escapes and control bytes. */
function stringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  for (; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** stringEnd, hashing the string's bytes into `hash` on the way. */
function hashedStringEnd(b: Uint8Array, i: number): number {
  const n = b.length;
  let h = hash;
  for (; i < n; i++) {
    const c = b[i];
    if (c === QUOTE) {
      hash = h;
      return i;
    }
    if (c === BACKSLASH || c < 0x20) return -1;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return -1;
}

/**
 * A flat object of string values at i (`{"k":"v",…}`); returns the index after it, or -1.
 * Hashes the keys and values into `hash`.
 */
function labelsEnd(b: Uint8Array, i: number): number {
  if (b[i] !== LBRACE) return -1;
  i = ws(b, i + 1);
  if (b[i] === RBRACE) return i + 1;
  for (;;) {
    if (b[i] !== QUOTE) return -1;
    let e = hashedStringEnd(b, i + 1);
    if (e < 0) return -1;
    i = ws(b, e + 1);
    if (b[i] !== COLON) return -1;
    i = ws(b, i + 1);
    if (b[i] !== QUOTE) return -1;
    hash = Math.imul(hash ^ COLON, FNV_PRIME); // "ab":"c" and "a":"bc" hash apart
    e = hashedStringEnd(b, i + 1);
    if (e < 0) return -1;
    i = ws(b, e + 1);
    if (b[i] === COMMA) {
      i = ws(b, i + 1);
      continue;
    }
    return b[i] === RBRACE ? i + 1 : -1;
  }
}

/** Which sample field the key bytes at [k, k+length) name, or 0. */
function fieldOf(b: Uint8Array, k: number, length: number): number {
  switch (length) {
    case 4:
      return b[k] === 0x6e && b[k + 1] === 0x61 && b[k + 2] === 0x6d && b[k + 3] === 0x65 ? NAME : 0;
    case 5:
      return b[k] === 0x76 && b[k + 1] === 0x61 && b[k + 2] === 0x6c && b[k + 3] === 0x75 && b[k + 4] === 0x65
        ? VALUE
        : 0;
    case 6:
      return b[k] === 0x6c &&
        b[k + 1] === 0x61 &&
        b[k + 2] === 0x62 &&
        b[k + 3] === 0x65 &&
        b[k + 4] === 0x6c &&
        b[k + 5] === 0x73
        ? LABELS
        : 0;
    case 2:
      return b[k] === 0x74 && b[k + 1] === 0x73 ? TS : 0;
    default:
      return 0;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[start + j]) return false;
  return true;
}

function grow(a: Float64Array, capacity: number): Float64Array {
  const next = new Float64Array(capacity);
  next.set(a);
  return next;
}
