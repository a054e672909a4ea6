import protobuf from 'protobufjs';

/**
 * The fields of TensorFlow's Event, Summary and TensorProto (tensorflow/core/util/event.proto,
 * framework/summary.proto, framework/tensor.proto) that carry scalars. Other fields (images,
 * histograms, graphs) are skipped as unknown.
 */
const PROTO = `
syntax = "proto3";
package tb;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what { string file_version = 3; Summary summary = 5; }
}
message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value { float simple_value = 2; TensorProto tensor = 8; }
  }
  repeated Value value = 1;
}
message SummaryMetadata {
  message PluginData { string plugin_name = 1; bytes content = 2; }
  PluginData plugin_data = 1;
}
message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated float float_val = 5;
  repeated double double_val = 6;
}
`;

const EventType = protobuf.parse(PROTO).root.lookupType('tb.Event');
const DT_FLOAT = 1;
const DT_DOUBLE = 2;

export interface TfScalar {
  tag: string;
  value: number;
}

export interface TfEvent {
  wallTimeMs: number;
  step: number;
  scalars: TfScalar[];
}

interface DecodedTensor {
  dtype?: number;
  tensorShape?: { dim?: unknown[]; unknownRank?: boolean } | null;
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
}
interface DecodedValue {
  tag?: string;
  simpleValue?: number;
  tensor?: DecodedTensor | null;
}
interface DecodedEvent {
  wallTime?: number;
  step?: { toString(): string } | number;
  summary?: { value?: DecodedValue[] } | null;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A rank-0 float or double tensor's value (TF2 writes scalars this way), else null. */
function tensorScalar(t: DecodedTensor): number | null {
  if ((t.tensorShape?.dim?.length ?? 0) > 0 || t.tensorShape?.unknownRank) return null;
  if (t.dtype === DT_FLOAT) {
    if (t.floatVal?.length) return t.floatVal[0];
    if (t.tensorContent?.length === 4) return Buffer.from(t.tensorContent).readFloatLE(0);
  } else if (t.dtype === DT_DOUBLE) {
    if (t.doubleVal?.length) return t.doubleVal[0];
    if (t.tensorContent?.length === 8) return Buffer.from(t.tensorContent).readDoubleLE(0);
  }
  return null;
}

/** Decodes one Event record; throws on bytes that are not an Event. */
export function decodeTfEvent(data: Uint8Array): TfEvent {
  const e = EventType.decode(data) as unknown as DecodedEvent;
  const scalars: TfScalar[] = [];
  for (const v of e.summary?.value ?? []) {
    if (!v.tag) continue;
    let value: number | null = null;
    if (own(v, 'simpleValue')) value = Number(v.simpleValue);
    else if (v.tensor) value = tensorScalar(v.tensor);
    if (value !== null && Number.isFinite(value)) scalars.push({ tag: v.tag, value });
  }
  return { wallTimeMs: Math.round((e.wallTime ?? 0) * 1000), step: Number(String(e.step ?? 0)), scalars };
}
