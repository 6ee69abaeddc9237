import { z } from 'zod';

/** Every user-visible setting, with its default. Adding one here makes it valid everywhere. */
export const Settings = z.object({
  /** copy imported files into the content-addressed store, or reference them in place */
  importMode: z.enum(['copy', 'reference']).default('copy'),
  /** how the intensity window for the backbone is chosen (issue 3 preprocessing) */
  intensityWindow: z.enum(['header', 'percentile']).default('percentile'),
  /** execution provider preference; `auto` picks the fastest present */
  provider: z.enum(['auto', 'cuda', 'dml', 'coreml', 'cpu']).default('auto'),
  /** number of CPU threads for ONNX Runtime; 0 lets it decide */
  threads: z.number().int().min(0).max(256).default(0),
});
export type Settings = z.infer<typeof Settings>;

export const settingsMethods = {
  'settings.get': { params: z.object({}).strict(), result: Settings },
  'settings.update': { params: Settings.partial().strict(), result: Settings },
} as const;
