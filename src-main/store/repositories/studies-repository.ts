import type { SqliteDatabase } from '../db';
import { inTransaction } from '../db';
import type { Clock } from '../json-columns';
import { fromJson, fromJsonOrNull, systemClock, toJson } from '../json-columns';

export type PatientSex = 'M' | 'F' | 'O';

/** Patient module attributes; absent identifiers are '' (one "unknown patient" per issuer). */
export interface PatientInput {
  patientId: string;
  issuer?: string;
  name?: string | null;
  /** YYYY-MM-DD */
  birthDate?: string | null;
  sex?: PatientSex | null;
}

export interface StudyInput {
  studyUid: string;
  /** YYYY-MM-DD */
  studyDate?: string | null;
  /** HH:MM:SS[.ffffff] */
  studyTime?: string | null;
  description?: string | null;
  accessionNumber?: string | null;
}

export interface SeriesInput {
  seriesUid: string;
  seriesNumber?: number | null;
  modality?: string | null;
  description?: string | null;
  frameOfReferenceUid?: string | null;
  /** ImageOrientationPatient: row then column direction cosines, 6 numbers */
  orientation?: number[] | null;
  /** [row spacing mm, column spacing mm, slice spacing mm] */
  spacing?: number[] | null;
}

export interface InstanceInput {
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber?: number | null;
  /** mm along the slice normal, for sorting */
  positionAlongNormal?: number | null;
  frames?: number;
  rows: number;
  columns: number;
  transferSyntaxUid: string;
  /** the copy in the content store ... */
  fileSha256?: string | null;
  /** ... or the file referenced in place (at least one of the two) */
  sourcePath?: string | null;
  fileSize?: number | null;
  /** header summary the viewer needs (photometric, bits, rescale, window ...) */
  attributes?: Record<string, unknown>;
}

/** One imported instance with the patient, study and series it belongs to. */
export interface InstanceUpsert {
  patient: PatientInput;
  study: StudyInput;
  series: SeriesInput;
  instance: InstanceInput;
}

/** 'existing': an instance with that SOP Instance UID was already stored and is left as it was. */
export type UpsertOutcome = 'inserted' | 'existing';

export interface WorklistRow {
  studyUid: string;
  studyDate: string | null;
  studyTime: string | null;
  description: string | null;
  accessionNumber: string | null;
  modalities: string[];
  patientId: string;
  patientName: string | null;
  patientBirthDate: string | null;
  patientSex: PatientSex | null;
  seriesCount: number;
  instanceCount: number;
  /** the current verdict (latest not superseded), null when none */
  verdict: {
    id: number;
    value: 'normal' | 'abnormal' | 'uncertain';
    reviewerId: string;
    at: string;
  } | null;
  /** the latest study score, null when never scored */
  score: { value: number; scoringRunId: string; modelVersionId: string; at: string } | null;
}

export interface StoredInstance extends Required<Omit<InstanceInput, 'attributes'>> {
  seriesUid: string;
  attributes: Record<string, unknown>;
}

export interface StoredSeries extends Required<SeriesInput> {
  studyUid: string;
  instances: StoredInstance[];
}

export interface StudyDetail {
  patient: Required<PatientInput>;
  study: Required<StudyInput> & { modalities: string[] };
  /** by series number, instances by position along the normal, then instance number */
  series: StoredSeries[];
}

interface WorklistDbRow {
  study_uid: string;
  study_date: string | null;
  study_time: string | null;
  description: string | null;
  accession_number: string | null;
  modalities: string;
  patient_id: string;
  patient_name: string | null;
  patient_birth_date: string | null;
  patient_sex: PatientSex | null;
  series_count: number;
  instance_count: number;
  verdict_id: number | null;
  verdict: 'normal' | 'abnormal' | 'uncertain' | null;
  verdict_reviewer_id: string | null;
  verdict_at: string | null;
  study_score: number | null;
  scoring_run_id: string | null;
  scored_at: string | null;
  score_model_version_id: string | null;
}

interface StudyDbRow {
  study_uid: string;
  study_date: string | null;
  study_time: string | null;
  description: string | null;
  accession_number: string | null;
  modalities: string;
  patient_id: string;
  issuer: string;
  name: string | null;
  birth_date: string | null;
  sex: PatientSex | null;
}

interface SeriesDbRow {
  series_uid: string;
  study_uid: string;
  series_number: number | null;
  modality: string | null;
  description: string | null;
  frame_of_reference_uid: string | null;
  orientation: string | null;
  spacing: string | null;
}

interface InstanceDbRow {
  sop_instance_uid: string;
  series_uid: string;
  sop_class_uid: string;
  instance_number: number | null;
  position_along_normal: number | null;
  frames: number;
  rows: number;
  columns: number;
  transfer_syntax_uid: string;
  file_sha256: string | null;
  source_path: string | null;
  file_size: number | null;
  attributes: string;
}

/** The DICOM hierarchy: patients, studies, series, instances, and the worklist over them. */
export class StudiesRepository {
  private readonly upsertPatient;
  private readonly upsertStudy;
  private readonly upsertSeries;
  private readonly insertInstance;
  private readonly refreshModalities;
  private readonly selectWorklist;
  private readonly selectStudy;
  private readonly selectSeries;
  private readonly selectInstances;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly now: Clock = systemClock,
  ) {
    // later files fill in what earlier ones left empty; they never blank a known value
    this.upsertPatient = db.prepare<unknown[], { id: number }>(
      `INSERT INTO patients (patient_id, issuer, name, birth_date, sex, created_at)
       VALUES (@patient_id, @issuer, @name, @birth_date, @sex, @at)
       ON CONFLICT (patient_id, issuer) DO UPDATE SET
         name = coalesce(excluded.name, name), birth_date = coalesce(excluded.birth_date, birth_date),
         sex = coalesce(excluded.sex, sex)
       RETURNING id`,
    );
    this.upsertStudy = db.prepare(
      `INSERT INTO studies (study_uid, patient_ref, study_date, study_time, description, accession_number, created_at, updated_at)
       VALUES (@study_uid, @patient_ref, @study_date, @study_time, @description, @accession_number, @at, @at)
       ON CONFLICT (study_uid) DO UPDATE SET
         study_date = coalesce(excluded.study_date, study_date), study_time = coalesce(excluded.study_time, study_time),
         description = coalesce(excluded.description, description),
         accession_number = coalesce(excluded.accession_number, accession_number), updated_at = excluded.updated_at`,
    );
    this.upsertSeries = db.prepare(
      `INSERT INTO series (series_uid, study_uid, series_number, modality, description, frame_of_reference_uid,
         orientation, spacing, created_at)
       VALUES (@series_uid, @study_uid, @series_number, @modality, @description, @frame_of_reference_uid,
         @orientation, @spacing, @at)
       ON CONFLICT (series_uid) DO UPDATE SET
         series_number = coalesce(excluded.series_number, series_number), modality = coalesce(excluded.modality, modality),
         description = coalesce(excluded.description, description),
         frame_of_reference_uid = coalesce(excluded.frame_of_reference_uid, frame_of_reference_uid),
         orientation = coalesce(excluded.orientation, orientation), spacing = coalesce(excluded.spacing, spacing)`,
    );
    this.insertInstance = db.prepare(
      `INSERT INTO instances (sop_instance_uid, series_uid, sop_class_uid, instance_number, position_along_normal,
         frames, rows, columns, transfer_syntax_uid, file_sha256, source_path, file_size, attributes, created_at)
       VALUES (@sop_instance_uid, @series_uid, @sop_class_uid, @instance_number, @position_along_normal,
         @frames, @rows, @columns, @transfer_syntax_uid, @file_sha256, @source_path, @file_size, @attributes, @at)
       ON CONFLICT (sop_instance_uid) DO NOTHING`,
    );
    this.refreshModalities = db.prepare<[{ study_uid: string }]>(
      `UPDATE studies SET modalities = (
         SELECT json_group_array(modality) FROM (
           SELECT DISTINCT modality FROM series WHERE study_uid = @study_uid AND modality IS NOT NULL ORDER BY modality))
       WHERE study_uid = @study_uid`,
    );
    this.selectWorklist = db.prepare<[], WorklistDbRow>(
      'SELECT * FROM study_worklist ORDER BY study_score IS NULL, study_score DESC, study_date DESC, study_uid',
    );
    this.selectStudy = db.prepare<[string], StudyDbRow>(
      `SELECT s.*, p.patient_id, p.issuer, p.name, p.birth_date, p.sex
       FROM studies s JOIN patients p ON p.id = s.patient_ref WHERE s.study_uid = ?`,
    );
    this.selectSeries = db.prepare<[string], SeriesDbRow>(
      'SELECT * FROM series WHERE study_uid = ? ORDER BY series_number IS NULL, series_number, series_uid',
    );
    this.selectInstances = db.prepare<[string], InstanceDbRow>(
      `SELECT i.* FROM instances i JOIN series se ON se.series_uid = i.series_uid WHERE se.study_uid = ?
       ORDER BY i.series_uid, i.position_along_normal IS NULL, i.position_along_normal,
         i.instance_number IS NULL, i.instance_number, i.sop_instance_uid`,
    );
  }

  /** Stores one instance and its patient, study and series in one transaction. */
  upsertInstance(item: InstanceUpsert): UpsertOutcome {
    return this.upsertInstances([item])[0] as UpsertOutcome;
  }

  /** Stores many instances all-or-nothing (one transaction; batching makes imports fast). */
  upsertInstances(items: readonly InstanceUpsert[]): UpsertOutcome[] {
    const at = this.now();
    return inTransaction(this.db, () => {
      const touchedStudies = new Set<string>();
      const outcomes = items.map((item) => {
        touchedStudies.add(item.study.studyUid);
        return this.storeOne(item, at);
      });
      for (const studyUid of touchedStudies) this.refreshModalities.run({ study_uid: studyUid });
      return outcomes;
    });
  }

  /** Every study for the worklist: highest score first, unscored last, then newest. */
  listWorklist(): WorklistRow[] {
    return this.selectWorklist.all().map(toWorklistRow);
  }

  getStudy(studyUid: string): StudyDetail | undefined {
    const row = this.selectStudy.get(studyUid);
    if (!row) return undefined;
    const instancesBySeries = new Map<string, StoredInstance[]>();
    for (const instance of this.selectInstances.all(studyUid)) {
      const list = instancesBySeries.get(instance.series_uid) ?? [];
      list.push(toInstance(instance));
      instancesBySeries.set(instance.series_uid, list);
    }
    return {
      patient: {
        patientId: row.patient_id,
        issuer: row.issuer,
        name: row.name,
        birthDate: row.birth_date,
        sex: row.sex,
      },
      study: {
        studyUid: row.study_uid,
        studyDate: row.study_date,
        studyTime: row.study_time,
        description: row.description,
        accessionNumber: row.accession_number,
        modalities: fromJson(row.modalities) as string[],
      },
      series: this.selectSeries.all(studyUid).map((series) => ({
        ...toSeries(series),
        instances: instancesBySeries.get(series.series_uid) ?? [],
      })),
    };
  }

  private storeOne(
    { patient, study, series, instance }: InstanceUpsert,
    at: string,
  ): UpsertOutcome {
    const patientRow = this.upsertPatient.get({
      patient_id: patient.patientId,
      issuer: patient.issuer ?? '',
      name: patient.name ?? null,
      birth_date: patient.birthDate ?? null,
      sex: patient.sex ?? null,
      at,
    }) as { id: number };
    this.upsertStudy.run({
      study_uid: study.studyUid,
      patient_ref: patientRow.id,
      study_date: study.studyDate ?? null,
      study_time: study.studyTime ?? null,
      description: study.description ?? null,
      accession_number: study.accessionNumber ?? null,
      at,
    });
    this.upsertSeries.run({
      series_uid: series.seriesUid,
      study_uid: study.studyUid,
      series_number: series.seriesNumber ?? null,
      modality: series.modality ?? null,
      description: series.description ?? null,
      frame_of_reference_uid: series.frameOfReferenceUid ?? null,
      orientation: series.orientation
        ? toJson(series.orientation, `orientation of series ${series.seriesUid}`)
        : null,
      spacing: series.spacing
        ? toJson(series.spacing, `spacing of series ${series.seriesUid}`)
        : null,
      at,
    });
    const result = this.insertInstance.run({
      sop_instance_uid: instance.sopInstanceUid,
      series_uid: series.seriesUid,
      sop_class_uid: instance.sopClassUid,
      instance_number: instance.instanceNumber ?? null,
      position_along_normal: instance.positionAlongNormal ?? null,
      frames: instance.frames ?? 1,
      rows: instance.rows,
      columns: instance.columns,
      transfer_syntax_uid: instance.transferSyntaxUid,
      file_sha256: instance.fileSha256 ?? null,
      source_path: instance.sourcePath ?? null,
      file_size: instance.fileSize ?? null,
      attributes: toJson(
        instance.attributes ?? {},
        `attributes of instance ${instance.sopInstanceUid}`,
      ),
      at,
    });
    return result.changes === 1 ? 'inserted' : 'existing';
  }
}

function toWorklistRow(row: WorklistDbRow): WorklistRow {
  return {
    studyUid: row.study_uid,
    studyDate: row.study_date,
    studyTime: row.study_time,
    description: row.description,
    accessionNumber: row.accession_number,
    modalities: fromJson(row.modalities) as string[],
    patientId: row.patient_id,
    patientName: row.patient_name,
    patientBirthDate: row.patient_birth_date,
    patientSex: row.patient_sex,
    seriesCount: row.series_count,
    instanceCount: row.instance_count,
    verdict:
      row.verdict_id === null
        ? null
        : {
            id: row.verdict_id,
            value: row.verdict!,
            reviewerId: row.verdict_reviewer_id!,
            at: row.verdict_at!,
          },
    score:
      row.study_score === null
        ? null
        : {
            value: row.study_score,
            scoringRunId: row.scoring_run_id!,
            modelVersionId: row.score_model_version_id!,
            at: row.scored_at!,
          },
  };
}

function toSeries(row: SeriesDbRow): Required<SeriesInput> & { studyUid: string } {
  return {
    seriesUid: row.series_uid,
    studyUid: row.study_uid,
    seriesNumber: row.series_number,
    modality: row.modality,
    description: row.description,
    frameOfReferenceUid: row.frame_of_reference_uid,
    orientation: fromJsonOrNull(row.orientation) as number[] | null,
    spacing: fromJsonOrNull(row.spacing) as number[] | null,
  };
}

function toInstance(row: InstanceDbRow): StoredInstance {
  return {
    sopInstanceUid: row.sop_instance_uid,
    seriesUid: row.series_uid,
    sopClassUid: row.sop_class_uid,
    instanceNumber: row.instance_number,
    positionAlongNormal: row.position_along_normal,
    frames: row.frames,
    rows: row.rows,
    columns: row.columns,
    transferSyntaxUid: row.transfer_syntax_uid,
    fileSha256: row.file_sha256,
    sourcePath: row.source_path,
    fileSize: row.file_size,
    attributes: fromJson(row.attributes) as Record<string, unknown>,
  };
}
