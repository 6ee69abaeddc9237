/**
 * `pacs.*`: PACS endpoints reached over DICOMweb (issue 8): saved endpoints
 * (secrets accepted, never returned: only whether one is set), connection
 * test, study query (QIDO-RS), retrieval into the local store as a job
 * (WADO-RS, per instance, resumable) and the PACS options.
 */
import { z } from 'zod';
import { JobInfo } from './jobs';

const Uid = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)*$/)
  .max(64);
const EndpointId = z.string().min(1).max(100);
/** DICOM DA, YYYYMMDD */
const DicomDate = z.string().regex(/^\d{8}$/, 'expected a date as YYYYMMDD');

/** Authentication as entered: a secret left out on an edit keeps the stored one. */
export const PacsAuthInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }).strict(),
  z
    .object({
      kind: z.literal('basic'),
      username: z.string().min(1).max(256),
      password: z.string().min(1).max(4096).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('bearer'), token: z.string().min(1).max(16384).optional() }).strict(),
]);
export type PacsAuthInput = z.infer<typeof PacsAuthInput>;

export const PacsEndpointInput = z
  .object({
    /** absent: a new endpoint */
    id: EndpointId.optional(),
    name: z.string().trim().min(1).max(100),
    /** the DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web */
    baseUrl: z.string().min(1).max(2048),
    auth: PacsAuthInput,
  })
  .strict();
export type PacsEndpointInput = z.infer<typeof PacsEndpointInput>;

/** An endpoint as the API shows it: the secret itself never leaves the store. */
export const PacsEndpoint = z.object({
  id: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  auth: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('none') }),
    z.object({
      kind: z.literal('basic'),
      username: z.string(),
      secret: z.enum(['set', 'not set']),
    }),
    z.object({ kind: z.literal('bearer'), secret: z.enum(['set', 'not set']) }),
  ]),
});
export type PacsEndpoint = z.infer<typeof PacsEndpoint>;

export const SecretStorageInfo = z.object({
  kind: z.enum(['os-keychain', 'key-file']),
  description: z.string(),
});

export const PacsQuery = z
  .object({
    patientName: z.string().max(64).optional(),
    patientId: z.string().max(64).optional(),
    dateFrom: DicomDate.optional(),
    dateTo: DicomDate.optional(),
    modality: z
      .string()
      .regex(/^[A-Z0-9]{1,16}$/, 'expected a modality code such as MR or CT')
      .optional(),
    accessionNumber: z.string().max(16).optional(),
    /** most studies returned (the server may return fewer) */
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type PacsQuery = z.input<typeof PacsQuery>;

export const PacsStudyHit = z.object({
  studyUid: z.string(),
  patientName: z.string().nullable(),
  patientId: z.string().nullable(),
  studyDate: z.string().nullable(),
  description: z.string().nullable(),
  accessionNumber: z.string().nullable(),
  modalities: z.array(z.string()),
  seriesCount: z.number().int().nullable(),
  instanceCount: z.number().int().nullable(),
  /** instances of this study already in the local store */
  localInstances: z.number().int(),
});
export type PacsStudyHit = z.infer<typeof PacsStudyHit>;

export const PacsOptions = z
  .object({
    /** score retrieved studies with the active model when the retrieval ends */
    autoScore: z.boolean().default(false),
    /** allow sending results (SEG, SR) back to a PACS; off by default, each send is audited */
    pushResults: z.boolean().default(false),
  })
  .strict();
export type PacsOptions = z.infer<typeof PacsOptions>;

export const PacsTestResult = z.object({
  ok: z.boolean(),
  /** a sentence for the user: what worked, or what went wrong */
  message: z.string(),
  /** error name when not ok (Refused for credentials, Unavailable for network/timeouts) */
  errorName: z.string().nullable(),
  latencyMs: z.number().nullable(),
});
export type PacsTestResult = z.infer<typeof PacsTestResult>;

const ById = z.object({ id: EndpointId }).strict();

export const pacsMethods = {
  'pacs.endpoints.list': {
    params: z.object({}).strict(),
    result: z.object({ endpoints: z.array(PacsEndpoint), secretStorage: SecretStorageInfo }),
  },
  'pacs.endpoints.save': { params: PacsEndpointInput, result: PacsEndpoint },
  'pacs.endpoints.remove': { params: ById, result: z.object({ removed: z.boolean() }) },
  'pacs.endpoints.test': { params: ById, result: PacsTestResult },
  'pacs.query': {
    params: z.object({ endpointId: EndpointId, query: PacsQuery }).strict(),
    result: z.object({ studies: z.array(PacsStudyHit) }),
  },
  'pacs.retrieve': {
    params: z.object({ endpointId: EndpointId, studyUids: z.array(Uid).min(1).max(1000) }).strict(),
    result: JobInfo,
  },
  /**
   * the study's scores as a Comprehensive SR, each scored series' anomaly map as a float Parametric
   * Map and its thresholded region as a binary Segmentation, by STOW-RS; refused unless the
   * pushResults option is on
   */
  'pacs.push': {
    params: z
      .object({ endpointId: EndpointId, studyUid: Uid, deidentify: z.boolean().default(false) })
      .strict(),
    result: z.object({
      studyInstanceUid: z.string(),
      objects: z.array(
        z.object({
          kind: z.enum(['sr', 'pmap', 'seg']),
          sopInstanceUid: z.string(),
          seriesInstanceUid: z.string(),
          bytes: z.number().int(),
        }),
      ),
      notes: z.array(z.string()),
      deidentified: z.boolean(),
    }),
  },
  'pacs.options.get': { params: z.object({}).strict(), result: PacsOptions },
  'pacs.options.update': { params: PacsOptions.partial().strict(), result: PacsOptions },
} as const;
