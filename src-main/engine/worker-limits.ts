/**
 * Caps for the engine's worker tasks. One memory cap for all of them, so they
 * share one warm worker (the supervisor reuses a worker only for the cap it
 * was started with) and its warm ONNX sessions.
 */
export const ENGINE_WORKER_MEMORY_MB = 4096;

/** ms a task over `frames` frames may take: generous, since these machines have few, busy cores. */
export function engineTimeoutMs(frames: number): number {
  return 120_000 + 30_000 * frames;
}

/** Frames per worker task: small enough that cancel and progress stay prompt. */
export const FRAMES_PER_TASK = 16;
/** Frames per backbone run inside a task. */
export const BACKBONE_BATCH = 4;
/** Frames per AR run inside a task. */
export const AR_BATCH = 16;
