import { maskedCrc32c } from './crc32c';

export interface TfRecord {
  /** Byte offset of the record's header in the file. */
  offset: number;
  data: Buffer;
}

export interface TfRecordScan {
  records: TfRecord[];
  /** Records dropped for a bad checksum (header or data). */
  corrupt: { offset: number; reason: string }[];
  /** Bytes from the start of the buffer that are done with; a half-written record stays after this. */
  consumed: number;
}

const HEADER = 12; // uint64 length + masked crc32c of the length
const FOOTER = 4; // masked crc32c of the data
const MAX_RECORD = 256 * 1024 * 1024;

function headerValid(buf: Buffer, at: number): number | null {
  const length = Number(buf.readBigUInt64LE(at));
  if (buf.readUInt32LE(at + 8) !== maskedCrc32c(buf, at, at + 8) || length > MAX_RECORD) return null;
  return length;
}

/**
 * Splits TFRecord framing: [len u64][masked crc(len) u32][data][masked crc(data) u32].
 * A record whose data checksum fails is skipped (its length is trusted); a header whose
 * checksum fails cannot be trusted, so the scan looks for the next valid header. An
 * incomplete record at the end is left for the next read. `base` is the buffer's file offset.
 */
export function scanTfRecords(buf: Buffer, base = 0, maxRecords = Infinity): TfRecordScan {
  const records: TfRecord[] = [];
  const corrupt: TfRecordScan['corrupt'] = [];
  let pos = 0;
  while (pos + HEADER <= buf.length && records.length < maxRecords) {
    const length = headerValid(buf, pos);
    if (length === null) {
      // Resynchronise: the next position whose 12 bytes form a valid header.
      let next = pos + 1;
      while (next + HEADER <= buf.length && headerValid(buf, next) === null) next++;
      corrupt.push({ offset: base + pos, reason: 'bad length checksum' });
      if (next + HEADER > buf.length) {
        // No header in what we have: keep the last 11 bytes, a header may start there.
        pos = Math.max(pos + 1, buf.length - HEADER + 1);
        break;
      }
      pos = next;
      continue;
    }
    const end = pos + HEADER + length + FOOTER;
    if (end > buf.length) break; // half-written: wait for the rest
    const dataStart = pos + HEADER;
    if (buf.readUInt32LE(dataStart + length) !== maskedCrc32c(buf, dataStart, dataStart + length)) {
      corrupt.push({ offset: base + pos, reason: 'bad data checksum' });
    } else {
      records.push({ offset: base + pos, data: buf.subarray(dataStart, dataStart + length) });
    }
    pos = end;
  }
  return { records, corrupt, consumed: pos };
}
