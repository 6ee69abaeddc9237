import { z } from 'zod';

export const JobKind = z.enum([
  'import',
  'score',
  'train',
  'export',
  'retrieve',
  'demo',
  'selftest',
]);
export type JobKind = z.infer<typeof JobKind>;
export const JobState = z.enum(['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobState>;

export const JobInfo = z.object({
  id: z.string(),
  kind: JobKind,
  title: z.string(),
  state: JobState,
  /** 0..1 when known */
  progress: z.number().min(0).max(1).nullable(),
  message: z.string(),
  error: z.object({ name: z.string(), message: z.string() }).nullable(),
  /** whether `jobs.pause` applies: the run can stop at a checkpoint and continue from it */
  pausable: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type JobInfo = z.infer<typeof JobInfo>;

export const JobId = z.object({ jobId: z.string().min(1).max(100) }).strict();

export const jobMethods = {
  'jobs.list': { params: z.object({}).strict(), result: z.array(JobInfo) },
  'jobs.cancel': { params: JobId, result: JobInfo },
  'jobs.pause': { params: JobId, result: JobInfo },
  'jobs.resume': { params: JobId, result: JobInfo },
} as const;

export const jobEvents = {
  'jobs.updated': JobInfo,
} as const;
