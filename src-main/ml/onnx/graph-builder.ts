/**
 * A small typed builder for ONNX graphs: the project generates its own models
 * (stand-in backbone, AR model) in TypeScript instead of exporting them from
 * Python. Nodes are appended in call order, so building in data-flow order
 * gives the topologically sorted graph ONNX requires.
 */
import { encodeModel, TensorDataType } from './proto';
import type { OnnxTypes } from './proto';

/** Opset of the default ONNX domain: LayerNormalization needs 17; DINOv3 exports use 17 too. */
export const DEFAULT_OPSET = 17;
/** IR version 8 goes with opset 17 (onnx/docs/Versioning.md). */
const IR_VERSION = 8;

/** A dimension: a fixed size, or a symbolic name for a dynamic one. */
export type Dim = number | string;

export type ElementType = 'float32' | 'int64';

/** Attribute values, tagged by their ONNX attribute type. */
export type AttributeValue =
  | { int: number }
  | { ints: readonly number[] }
  | { float: number }
  | { floats: readonly number[] }
  | { string: string };

export interface ModelOptions {
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Stored as ModelProto.metadata_props (visible to ONNX Runtime and any ONNX tool). */
  metadata?: Record<string, string>;
  opset?: number;
}

const ELEMENT_TYPE: Record<ElementType, number> = {
  float32: TensorDataType.FLOAT,
  int64: TensorDataType.INT64,
};

export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly outputs: OnnxTypes.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  /** Operator domains other than the default one that some node uses, each imported at version 1. */
  private readonly domains = new Set<string>();
  private counter = 0;

  constructor(private readonly graphName: string) {}

  /** Declares a graph input and returns its name. */
  input(name: string, type: ElementType, shape: readonly Dim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares an existing value as a graph output. */
  output(name: string, type: ElementType, shape: readonly Dim[]): void {
    if (!this.names.has(name))
      throw new Error(`graph ${this.graphName}: output ${name} is not produced by any node`);
    this.outputs.push(valueInfo(name, type, shape));
  }

  /** Adds a float32 constant tensor (row-major `data` of shape `dims`) and returns its name. */
  floatTensor(name: string, data: Float32Array, dims: readonly number[]): string {
    checkSize(name, data.length, dims);
    this.claim(name);
    // raw_data is little-endian; so is every platform ONNX Runtime ships for
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dataType: TensorDataType.FLOAT, dims: [...dims], rawData: raw });
    return name;
  }

  /** Adds an int64 constant tensor (shapes, axes, indices) and returns its name. */
  int64Tensor(
    name: string,
    values: readonly number[],
    dims: readonly number[] = [values.length],
  ): string {
    checkSize(name, values.length, dims);
    this.claim(name);
    this.initializers.push({
      name,
      dataType: TensorDataType.INT64,
      dims: [...dims],
      int64Data: [...values],
    });
    return name;
  }

  /** A scalar float constant with a fresh name. */
  scalar(value: number): string {
    return this.floatTensor(this.fresh('const'), new Float32Array([value]), []);
  }

  /** A 1-D int64 constant with a fresh name (shapes, axes, slice bounds). */
  int64s(values: readonly number[]): string {
    return this.int64Tensor(this.fresh('const'), values);
  }

  /**
   * Appends a node and returns the names of its outputs (fresh names derived
   * from `opType` unless `outputNames` is given).
   */
  nodeN(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Record<string, AttributeValue> = {},
    outputNames?: readonly string[],
    domain = '',
  ): string[] {
    for (const input of inputs) {
      if (input !== '' && !this.names.has(input)) {
        throw new Error(
          `graph ${this.graphName}: ${opType} reads ${input}, which nothing has produced yet`,
        );
      }
    }
    const outputs = outputNames
      ? [...outputNames]
      : Array.from({ length: outputCount }, () => this.fresh(opType));
    outputs.forEach((name) => this.claim(name));
    if (domain !== '') this.domains.add(domain);
    this.nodes.push({
      opType,
      domain,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: outputs,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** Appends a node with one output and returns that output's name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    outputName?: string,
  ): string {
    return this.nodeN(
      opType,
      inputs,
      1,
      attributes,
      outputName === undefined ? undefined : [outputName],
    )[0]!;
  }

  /** Appends a node of an operator outside the default domain (an ONNX Runtime contrib op) and returns its output's name. */
  domainNode(
    domain: string,
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
  ): string {
    return this.nodeN(opType, inputs, 1, attributes, undefined, domain)[0]!;
  }

  /** The ModelProto: graph plus opset, producer and metadata. */
  model(options: ModelOptions = {}): OnnxTypes.IModelProto {
    return {
      irVersion: IR_VERSION,
      opsetImport: [
        { domain: '', version: options.opset ?? DEFAULT_OPSET },
        ...[...this.domains].map((domain) => ({ domain, version: 1 })),
      ],
      producerName: options.producerName ?? 'normscope',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }

  /** The bytes of the .onnx file. */
  build(options: ModelOptions = {}): Uint8Array {
    if (this.outputs.length === 0) throw new Error(`graph ${this.graphName}: no outputs declared`);
    return encodeModel(this.model(options));
  }

  private fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.names.has(name));
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name))
      throw new Error(`graph ${this.graphName}: the name ${name} is used twice`);
    this.names.add(name);
  }
}

function checkSize(name: string, length: number, dims: readonly number[]): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (length !== expected)
    throw new Error(`tensor ${name}: ${length} values for shape [${dims.join(', ')}]`);
}

function valueInfo(
  name: string,
  type: ElementType,
  shape: readonly Dim[],
): OnnxTypes.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEMENT_TYPE[type],
        shape: {
          dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

// AttributeProto.AttributeType (onnx.proto)
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  if ('int' in value) return { name, type: ATTR_INT, i: value.int };
  if ('ints' in value) return { name, type: ATTR_INTS, ints: [...value.ints] };
  if ('float' in value) return { name, type: ATTR_FLOAT, f: value.float };
  if ('floats' in value) return { name, type: ATTR_FLOATS, floats: [...value.floats] };
  return { name, type: ATTR_STRING, s: new TextEncoder().encode(value.string) };
}
