/** Which files an ONNX model keeps its tensors in besides itself (ONNX external data). */
import { NormscopeError } from '../api/errors';
import { DATA_LOCATION_EXTERNAL, decodeModel } from '../ml/onnx/proto';
import type { OnnxTypes } from '../ml/onnx/proto';

/** Distinct `location`s of externally stored tensors (initializers and node attributes), in first-use order. */
export function externalDataLocations(bytes: Uint8Array): string[] {
  let model: OnnxTypes.ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new NormscopeError('InvalidRequest', `not an ONNX model: ${(err as Error).message}`);
  }
  const tensors: OnnxTypes.ITensorProto[] = [...(model.graph?.initializer ?? [])];
  for (const node of model.graph?.node ?? []) {
    for (const attribute of node.attribute ?? []) if (attribute.t) tensors.push(attribute.t);
  }
  const locations = new Set<string>();
  for (const tensor of tensors) {
    if (tensor.dataLocation !== DATA_LOCATION_EXTERNAL) continue;
    const location = tensor.externalData?.find((entry) => entry.key === 'location')?.value;
    if (location) locations.add(location);
  }
  return [...locations];
}
