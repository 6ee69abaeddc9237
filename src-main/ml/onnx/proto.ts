/**
 * The ONNX protobuf schema (onnx-proto: protobufjs classes generated from
 * onnx.proto, IR version 8). onnx-proto is CommonJS, so it is reached through
 * its default export; types come from its declaration file.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type { OnnxTypes };

/** TensorProto.DataType values used here (onnx.proto). */
export const TensorDataType = {
  FLOAT: 1,
  INT64: 7,
} as const;

/** TensorProto.DataLocation.EXTERNAL: the tensor's bytes live in another file. */
export const DATA_LOCATION_EXTERNAL = 1;

/** protobufjs decodes int64 fields as numbers or Long objects; both become numbers here. */
export function int64ToNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** Serialises a model to the bytes of an .onnx file. */
export function encodeModel(model: OnnxTypes.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** Parses the bytes of an .onnx file; throws protobufjs's error on malformed input. */
export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
