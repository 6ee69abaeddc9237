import { z } from 'zod';

/** How the head anchor vouches for the chain's end (src-main/store/repositories/audit-repository.ts). */
export const AuditAnchorState = z.enum(['confirmed', 'pending', 'adopted', 'absent']);

/** The audit chain checked end to end: hash links, then the head anchor outside the database. */
export const AuditChainStatus = z.object({
  ok: z.boolean(),
  /** entries checked (up to the first broken one) */
  entries: z.number().int().min(0),
  headSeq: z.number().int().min(1).nullable(),
  /** the first broken entry (for removed newest entries: the first one missing); null when ok */
  brokenSeq: z.number().int().min(1).nullable(),
  reason: z.string().nullable(),
  anchor: AuditAnchorState.nullable(),
  /** set when the anchor was re-created after its file had gone */
  adoptedAtSeq: z.number().int().min(0).nullable(),
  checkedAt: z.string(),
  /** "Audit chain verified (12 entries)" or "Audit chain BROKEN at #7: ..." */
  summary: z.string(),
});
export type AuditChainStatus = z.infer<typeof AuditChainStatus>;

export const AuditEntryView = z.object({
  seq: z.number().int(),
  time: z.string(),
  actor: z.string(),
  action: z.string(),
  objectIds: z.record(z.string(), z.unknown()),
  details: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const auditMethods = {
  'audit.verify': { params: z.object({}).strict(), result: AuditChainStatus },
  /** newest first, `limit` entries at or before `beforeSeq` */
  'audit.list': {
    params: z
      .object({
        limit: z.number().int().min(1).max(500).default(50),
        beforeSeq: z.number().int().min(1).optional(),
      })
      .strict(),
    result: z.object({
      total: z.number().int().min(0),
      entries: z.array(AuditEntryView),
      /** pass as beforeSeq for the next (older) page; null at the first entry */
      nextBeforeSeq: z.number().int().min(1).nullable(),
    }),
  },
} as const;
