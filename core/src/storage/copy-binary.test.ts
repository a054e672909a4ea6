import { encodeSamplesBinary } from './copy-binary';

// The format written the plain way (BigInt per int8), to check the two-halves encoder against.
function reference(times: number[], ids: number[], values: number[]): Buffer {
  const buf = Buffer.alloc(19 + times.length * 38 + 2);
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1').copy(buf, 0);
  let o = 19;
  times.forEach((t, i) => {
    buf.writeInt16BE(3, o);
    buf.writeInt32BE(8, o + 2);
    buf.writeBigInt64BE(BigInt(Math.round(t * 1000)) - 946_684_800_000_000n, o + 6);
    buf.writeInt32BE(8, o + 14);
    buf.writeBigInt64BE(BigInt(ids[i]), o + 18);
    buf.writeInt32BE(8, o + 26);
    buf.writeDoubleBE(values[i], o + 30);
    o += 38;
  });
  buf.writeInt16BE(-1, o);
  return buf;
}

describe('binary COPY encoding of samples', () => {
  test('matches the BigInt encoding for times before and after 2000, sub-ms times and large ids', () => {
    const times = [0, 946_684_800_000, 946_684_799_999, Date.UTC(2026, 0, 17), 1768661999000.25, -86_400_000];
    const ids = [1, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 7, 0];
    const values = [0, -0, 1.5, -1e308, Number.MIN_VALUE, 42];
    expect(encodeSamplesBinary(times, ids, values)).toEqual(reference(times, ids, values));
  });

  test('an empty batch is header and trailer only', () => {
    expect(encodeSamplesBinary([], [], [])).toEqual(reference([], [], []));
  });

  test('refuses a time or id it cannot encode exactly', () => {
    expect(() => encodeSamplesBinary([NaN], [1], [1])).toThrow(RangeError);
    expect(() => encodeSamplesBinary([0], [2 ** 53], [1])).toThrow(RangeError);
  });
});
