import { z } from 'zod';

export const ExecutionProvider = z.enum(['cuda', 'dml', 'coreml', 'webgpu', 'cpu']);

export const BackboneSummary = z.object({
  id: z.string(),
  name: z.string(),
  family: z.string(),
  /** true for the project's generated stand-ins: never for clinical use */
  standIn: z.boolean(),
  sha256: z.string(),
});

export const AppStatus = z.object({
  version: z.string(),
  host: z.enum(['electron', 'web']),
  dataDir: z.string(),
  backbone: BackboneSummary.nullable(),
  activeModel: z.object({ id: z.string(), name: z.string() }).nullable(),
  provider: z.object({ active: ExecutionProvider, available: z.array(ExecutionProvider) }),
  database: z.object({ schemaVersion: z.number().int(), integrity: z.string() }),
});
export type AppStatus = z.infer<typeof AppStatus>;

export const appMethods = {
  'app.status': { params: z.object({}).strict(), result: AppStatus },
} as const;
