import { describe, expect, it } from 'vitest';
import type { JobInfo } from '../../../src-main/api/contract';
import { actionsFor, activeCount, mergeJobs } from '../../../src-renderer/jobs/job-list';

function job(id: string, state: JobInfo['state'], createdAt: string, updatedAt = createdAt, progress: number | null = null): JobInfo {
  return { id, kind: 'import', title: `Job ${id}`, state, progress, message: '', error: null, pausable: false, createdAt, updatedAt };
}

describe('job tray list', () => {
  it('keeps the newer copy of a job whichever arrives last', () => {
    const fromEvent = job('a', 'running', '2026-01-01T10:00:00Z', '2026-01-01T10:00:05Z', 0.5);
    const staleFromList = job('a', 'running', '2026-01-01T10:00:00Z', '2026-01-01T10:00:01Z', 0.1);
    expect(mergeJobs([fromEvent], [staleFromList])[0]?.progress).toBe(0.5);
    const finished = job('a', 'succeeded', '2026-01-01T10:00:00Z', '2026-01-01T10:00:09Z', 1);
    expect(mergeJobs([fromEvent], [finished])[0]?.state).toBe('succeeded');
  });

  it('lists running work first, newest first, and counts only unfinished jobs', () => {
    const jobs = mergeJobs(
      [],
      [
        job('old-done', 'succeeded', '2026-01-01T09:00:00Z'),
        job('new-done', 'failed', '2026-01-01T11:00:00Z'),
        job('old-run', 'running', '2026-01-01T08:00:00Z'),
        job('new-queued', 'queued', '2026-01-01T10:00:00Z'),
      ],
    );
    expect(jobs.map((j) => j.id)).toEqual(['new-queued', 'old-run', 'new-done', 'old-done']);
    expect(activeCount(jobs)).toBe(2);
  });

  it('offers pause only for pausable running work, resume for paused work, nothing for finished work', () => {
    const running = job('r', 'running', '2026-01-01T10:00:00Z');
    expect(actionsFor(running)).toEqual(['cancel']);
    expect(actionsFor({ ...running, pausable: true })).toEqual(['pause', 'cancel']);
    expect(actionsFor({ ...running, state: 'paused', pausable: true })).toEqual(['resume', 'cancel']);
    expect(actionsFor({ ...running, state: 'queued' })).toEqual(['cancel']);
    expect(actionsFor({ ...running, state: 'succeeded' })).toEqual([]);
  });
});
