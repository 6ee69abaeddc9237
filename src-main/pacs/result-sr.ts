/**
 * The scores of a study as a DICOM Comprehensive SR (PS3.3 A.35.3), for
 * sending back to a PACS: the study score, each series' score, the image
 * threshold in force and whether the study is above it, the model version and
 * the scoring run, under a root container that says this is the output of an
 * unsupervised anomaly detector. Codes of our own use the local coding scheme
 * 99NORMSCOPE (PS3.16 8.2: "99" prefixed private schemes); the algorithm
 * identification uses DCM 111001/111003.
 */
import type { StudyScores } from '../api/contract';
import type { NaturalDataset } from '../reports/deidentify-dicom';
import { code, dicomDate, dicomTime, newUid } from './result-common';

const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';

export interface SrSource {
  /** identifying attributes of the scored study, copied from one of its instances */
  patient: { PatientName: string; PatientID: string; PatientBirthDate: string; PatientSex: string };
  study: {
    StudyInstanceUID: string;
    StudyDate: string;
    StudyTime: string;
    AccessionNumber: string;
    StudyID: string;
    ReferringPhysicianName: string;
  };
  /** the scored instances, by series, so the report names its evidence */
  series: Array<{
    seriesInstanceUid: string;
    instances: Array<{ sopClassUid: string; sopInstanceUid: string }>;
  }>;
  scores: StudyScores;
  normscopeVersion: string;
  /** the moment the report is made (ContentDate/Time) */
  now: Date;
}

const NS = '99NORMSCOPE';
const UNITLESS = code('1', 'UCUM', 'no units');

function text(concept: NaturalDataset, value: string): NaturalDataset {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'TEXT',
    ConceptNameCodeSequence: [concept],
    TextValue: value,
  };
}

function num(concept: NaturalDataset, value: number): NaturalDataset {
  return {
    RelationshipType: 'CONTAINS',
    ValueType: 'NUM',
    ConceptNameCodeSequence: [concept],
    MeasuredValueSequence: [
      { NumericValue: Number(value.toPrecision(10)), MeasurementUnitsCodeSequence: [UNITLESS] },
    ],
  };
}

/** The SR as a dcmjs naturalized dataset (write it with writePart10). */
export function buildScoresSr(source: SrSource): NaturalDataset {
  const { scores } = source;
  const threshold = scores.threshold?.imageThreshold ?? null;
  const items: NaturalDataset[] = [
    text(
      code('111001', 'DCM', 'Algorithm Name'),
      'Normscope spatial autoregressive model on DINOv3 patch features',
    ),
    text(
      code('111003', 'DCM', 'Algorithm Version'),
      `${scores.run.modelName} (model version ${scores.run.modelVersionId}); Normscope ${source.normscopeVersion}`,
    ),
    text(code('NS010', NS, 'Scoring run'), scores.run.id),
  ];
  if (scores.studyScore !== null)
    items.push(num(code('NS001', NS, 'Study anomaly score'), scores.studyScore));
  for (const series of scores.series) {
    items.push({
      ...num(code('NS002', NS, 'Series anomaly score'), series.score),
      ContentSequence: [text(code('NS011', NS, 'Series Instance UID'), series.seriesUid)],
    });
  }
  if (threshold !== null) {
    items.push(num(code('NS003', NS, 'Image score threshold'), threshold));
    if (scores.studyScore !== null) {
      items.push(
        text(code('NS004', NS, 'Above threshold'), scores.studyScore >= threshold ? 'YES' : 'NO'),
      );
    }
  }
  items.push(
    text(
      code('NS005', NS, 'Note'),
      'Output of an unsupervised anomaly detector: a score of how unusual the images are compared with normal studies, not a diagnosis.',
    ),
  );
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR,
    SOPInstanceUID: newUid(),
    ...source.patient,
    ...source.study,
    Modality: 'SR',
    SeriesInstanceUID: newUid(),
    SeriesNumber: 9901,
    SeriesDescription: 'Normscope anomaly scores',
    ReferencedPerformedProcedureStepSequence: [],
    Manufacturer: 'Normscope',
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: dicomDate(source.now),
    ContentTime: dicomTime(source.now),
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: source.study.StudyInstanceUID,
        ReferencedSeriesSequence: source.series.map((series) => ({
          SeriesInstanceUID: series.seriesInstanceUid,
          ReferencedSOPSequence: series.instances.map((i) => ({
            ReferencedSOPClassUID: i.sopClassUid,
            ReferencedSOPInstanceUID: i.sopInstanceUid,
          })),
        })),
      },
    ],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [code('NS000', NS, 'Anomaly detection result')],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: items,
  };
}
