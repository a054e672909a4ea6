import fs from 'fs';
import protobuf from 'protobufjs';
import { maskedCrc32c } from './crc32c';

/**
 * Writes TensorBoard event files for tests, field by field at the wire level (field numbers
 * from tensorflow/core/util/event.proto, framework/summary.proto and framework/tensor.proto),
 * independent of the reader's schema.
 */
export type TestScalar =
  | { tag: string; simple: number }
  | { tag: string; tensorFloat: number; packed?: boolean }
  | { tag: string; tensorDouble: number; viaContent?: boolean };

export function encodeEvent(
  wallTimeSec: number,
  step: number,
  scalars: TestScalar[] = [],
  fileVersion?: string,
): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 1).double(wallTimeSec); // wall_time
  w.uint32((2 << 3) | 0).int64(step); // step
  if (fileVersion) w.uint32((3 << 3) | 2).string(fileVersion);
  if (scalars.length) {
    const summary = protobuf.Writer.create();
    for (const s of scalars) {
      const value = protobuf.Writer.create();
      value.uint32((1 << 3) | 2).string(s.tag);
      if ('simple' in s) {
        value.uint32((2 << 3) | 5).float(s.simple); // simple_value
      } else {
        const tensor = protobuf.Writer.create();
        const isDouble = 'tensorDouble' in s;
        tensor.uint32((1 << 3) | 0).int32(isDouble ? 2 : 1); // dtype DT_DOUBLE / DT_FLOAT
        tensor.uint32((2 << 3) | 2).bytes(new Uint8Array(0)); // tensor_shape {} (rank 0)
        if (isDouble && s.viaContent) {
          const b = Buffer.alloc(8);
          b.writeDoubleLE(s.tensorDouble);
          tensor.uint32((4 << 3) | 2).bytes(b); // tensor_content
        } else if (isDouble) {
          tensor
            .uint32((6 << 3) | 2)
            .fork()
            .double(s.tensorDouble)
            .ldelim(); // packed double_val
        } else if (s.packed === false) {
          tensor.uint32((5 << 3) | 5).float(s.tensorFloat); // unpacked float_val
        } else {
          tensor
            .uint32((5 << 3) | 2)
            .fork()
            .float(s.tensorFloat)
            .ldelim(); // packed float_val
        }
        const metadata = protobuf.Writer.create();
        metadata
          .uint32((1 << 3) | 2)
          .fork()
          .uint32((1 << 3) | 2)
          .string('scalars')
          .ldelim(); // plugin_data.plugin_name
        value.uint32((9 << 3) | 2).bytes(metadata.finish());
        value.uint32((8 << 3) | 2).bytes(tensor.finish());
      }
      summary.uint32((1 << 3) | 2).bytes(value.finish());
    }
    w.uint32((5 << 3) | 2).bytes(summary.finish());
  }
  return w.finish();
}

/** TFRecord framing: [len u64 LE][masked crc32c(len)][data][masked crc32c(data)]. */
export function frameRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length));
  header.writeUInt32LE(maskedCrc32c(header, 0, 8), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc32c(data));
  return Buffer.concat([header, Buffer.from(data), footer]);
}

export function appendRecords(file: string, events: Uint8Array[]): Buffer {
  const bytes = Buffer.concat(events.map(frameRecord));
  fs.appendFileSync(file, bytes);
  return bytes;
}
