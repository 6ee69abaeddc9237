/** `demo.*`: the demo a new user is offered on an empty data directory (issue 6). */
import { z } from 'zod';
import { JobInfo } from './jobs';

export const DemoStatus = z.object({
  /** true when the data directory is empty, so the demo can load */
  available: z.boolean(),
  /** why it cannot, when it cannot */
  reason: z.string().nullable(),
});
export type DemoStatus = z.infer<typeof DemoStatus>;

export const demoMethods = {
  'demo.status': { params: z.object({}).strict(), result: DemoStatus },
  /** generates phantom studies, imports a stand-in backbone, trains, scores and calibrates: one job */
  'demo.load': { params: z.object({}).strict(), result: JobInfo },
} as const;
