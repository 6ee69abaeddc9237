/**
 * ONNX Runtime's blocked channel layout (NCHWc) for graphs whose conv weights
 * are inputs rather than constants: the AR training graphs.
 *
 * On CPU, ONNX Runtime rewrites a Conv into its NCHWc kernels only when the
 * weights are constant, so the scoring graph gets them and a training step,
 * whose weights change every step, would not. The kernels are ordinary
 * operators of the com.microsoft.nchwc domain that read their weights at run
 * time, so a graph can call them itself: measured at paper size, batch 16, a
 * forward pass with weights as inputs took 500 ms as plain Conv and 419 ms as
 * NCHWc Conv, against 405 ms for the constant-weight scoring graph (whose
 * output it matched bit for bit).
 *
 * The layout: a tensor [N, C, H, W] is stored as [N, C/B, H, W, B], B channels
 * innermost; a filter [O, I, kh, kw] as [O/B, I/B, kh, kw, Bi, Bo]. B is the
 * block size of MLAS on this processor (8 with AVX2, 16 with AVX-512), which
 * no API reports, so it is read off a one-node probe graph once per process.
 * These operators exist only in ONNX Runtime's CPU provider; callers use them
 * only for sessions that run on the CPU.
 */
import { GraphBuilder } from './graph-builder';
import type { AttributeValue } from './graph-builder';
import {
  availableProviders,
  closeSession,
  createSession,
  PREFERRED_PROVIDERS,
  runFloat32,
} from './session';
import type { SessionSettings } from './session';

export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

/** Channels of the probe: more than any block size MLAS uses, so the reorder is visible. */
const PROBE_CHANNELS = 64;

let probed: Promise<number | undefined> | undefined;

/**
 * MLAS's NCHWc block size on this machine, or undefined when this build of
 * ONNX Runtime has no NCHWc kernels (the probe fails or shows no blocking) or
 * they do not compute what Conv computes with the filter order used here
 * (blockedConvAgrees): these are internal operators, and a later ONNX Runtime
 * may change them, which must cost speed, never correctness.
 */
export function nchwcBlockSize(): Promise<number | undefined> {
  probed ??= probeBlockSize()
    .then(async (block) =>
      block !== undefined && (await blockedConvAgrees(block)) ? block : undefined,
    )
    .catch(() => undefined);
  return probed;
}

/**
 * Whether a dilated, padded 3x3 Conv + ReLU through toBlocked, blockedFilter
 * (block `block`), blockedConv and fromBlocked (to NCHW and to NHWC) matches
 * plain Conv + Relu on the same inputs, to float32 rounding.
 */
export async function blockedConvAgrees(block: number): Promise<boolean> {
  const [inChannels, outChannels, height, width] = [2 * block, block, 5, 6];
  const conv = {
    kernel_shape: { ints: [3, 3] },
    dilations: { ints: [2, 2] },
    pads: { ints: [2, 2, 2, 2] },
  };
  const b = new GraphBuilder('nchwc_check');
  const xDims = [1, inChannels, height, width];
  const wDims = [outChannels, inChannels, 3, 3];
  const x = b.input('x', 'float32', xDims);
  const w = b.input('w', 'float32', wDims);
  const bias = b.input('bias', 'float32', [outChannels]);
  b.node('Relu', [b.node('Conv', [x, w, bias], conv)], {}, 'plain');
  const filter = blockedFilter(b, w, { outChannels, inChannels, kernel: 3 }, block);
  const y = blockedConv(b, [toBlocked(b, x), filter, bias], conv, true);
  b.node('Identity', [fromBlocked(b, y, outChannels, false)], {}, 'nchw');
  b.node('Identity', [fromBlocked(b, y, outChannels, true)], {}, 'nhwc');
  b.output('plain', 'float32', [1, outChannels, height, width]);
  b.output('nchw', 'float32', [1, outChannels, height, width]);
  b.output('nhwc', 'float32', [1, height, width, outChannels]);
  const session = await createSession(b.build(), { providers: ['cpu'], intraOpThreads: 1 });
  try {
    // deterministic values with no structure a wrong reorder could preserve
    const values = (n: number, k: number): Float32Array =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k * 78.233));
    const out = await runFloat32(session, {
      x: { data: values(inChannels * height * width, 1), dims: xDims },
      w: { data: values(outChannels * inChannels * 9, 2), dims: wDims },
      bias: { data: values(outChannels, 3), dims: [outChannels] },
    });
    const plain = out.plain!.data;
    const plane = height * width;
    return plain.every((expected, j) => {
      const c = Math.floor(j / plane);
      const tolerance = 1e-4 * (1 + Math.abs(expected));
      return (
        Math.abs(out.nchw!.data[j]! - expected) <= tolerance &&
        Math.abs(out.nhwc!.data[(j % plane) * outChannels + c]! - expected) <= tolerance
      );
    });
  } finally {
    await closeSession(session);
  }
}

/**
 * The block for a graph whose sessions are created with `settings`: only when
 * the CPU is the one provider they can get, since no other provider has these
 * kernels and a mixed graph would copy every activation between devices.
 */
export async function nchwcBlockForSessions(
  settings: SessionSettings = {},
): Promise<number | undefined> {
  const providers = availableProviders(settings.providers ?? PREFERRED_PROVIDERS);
  return providers.every((p) => p === 'cpu') ? nchwcBlockSize() : undefined;
}

async function probeBlockSize(): Promise<number | undefined> {
  const b = new GraphBuilder('nchwc_probe');
  const dims = [1, PROBE_CHANNELS, 1, 2];
  const x = b.input('x', 'float32', dims);
  b.output(toBlocked(b, x), 'float32', dims);
  const session = await createSession(b.build(), { providers: ['cpu'], intraOpThreads: 1 });
  try {
    // channel c of pixel p holds 2c + p; blocked, the first block is channels 0..B-1 of pixel 0
    const data = Float32Array.from({ length: 2 * PROBE_CHANNELS }, (_, i) => i);
    const out = Object.values(await runFloat32(session, { x: { data, dims } }))[0]!.data;
    let block = 1;
    while (block < PROBE_CHANNELS && out[block] === 2 * block) block++;
    return block > 1 && block < PROBE_CHANNELS && PROBE_CHANNELS % block === 0 ? block : undefined;
  } finally {
    await closeSession(session);
  }
}

/** Whether every channel count can be blocked by `block` without padding. */
export function blocksEvenly(block: number, channelCounts: readonly number[]): boolean {
  return channelCounts.every((c) => c % block === 0);
}

/** [N, C, H, W] -> blocked [N, C/B, H, W, B] (reported shape unchanged when C divides by B). */
export function toBlocked(b: GraphBuilder, x: string): string {
  return b.domainNode(NCHWC_DOMAIN, 'ReorderInput', [x], { channels_last: { int: 0 } });
}

/** Blocked -> [N, C, H, W], or [N, H, W, C] with channelsLast. */
export function fromBlocked(
  b: GraphBuilder,
  x: string,
  channels: number,
  channelsLast: boolean,
): string {
  return b.domainNode(NCHWC_DOMAIN, 'ReorderOutput', [x], {
    channels: { int: channels },
    channels_last: { int: channelsLast ? 1 : 0 },
  });
}

/** A filter [O, I, k, k] in MLAS's blocked order [O/B, I/B, k, k, Bi, Bo], as the NCHWc Conv reads it. */
export function blockedFilter(
  b: GraphBuilder,
  w: string,
  shape: { outChannels: number; inChannels: number; kernel: number },
  block: number,
): string {
  const { outChannels: o, inChannels: i, kernel: k } = shape;
  const split = b.node('Reshape', [w, b.int64s([o / block, block, i / block, block, k, k])]);
  const ordered = b.node('Transpose', [split], { perm: { ints: [0, 2, 4, 5, 3, 1] } });
  return b.node('Reshape', [ordered, b.int64s([o, i, k, k])]);
}

/** NCHWc Conv of a blocked input with a blocked filter; `relu` fuses the activation into the kernel. */
export function blockedConv(
  b: GraphBuilder,
  inputs: readonly string[],
  attributes: Record<string, AttributeValue>,
  relu: boolean,
): string {
  return b.domainNode(NCHWC_DOMAIN, 'Conv', inputs, {
    ...attributes,
    ...(relu ? { activation: { string: 'Relu' } } : {}),
  });
}
