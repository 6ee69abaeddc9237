/** Agreement of AI flags with reviewers' verdicts: per row, and the confusion figures over rows. */
import { confusionAtThreshold, sensitivity, specificity } from '../ml/metrics';
import type { Agreement, AgreementFigures, ReportRow, VerdictValue } from './model';

/** One study: flag (null: unscored or no threshold) against its verdict in scope (null: none). */
export function agreementOf(
  score: number | null,
  flagged: boolean | null,
  verdict: VerdictValue | null,
): Agreement {
  if (score === null) return 'unscored';
  if (flagged === null) return 'no-threshold';
  if (verdict === null) return 'unreviewed';
  if (verdict === 'uncertain') return 'uncertain';
  return flagged === (verdict === 'abnormal') ? 'agree' : 'disagree';
}

/**
 * Confusion matrix of flags against verdicts over the rows with both a flag
 * and a normal/abnormal verdict (abnormal = positive), with sensitivity and
 * specificity where defined, and the counts of rows left out and why.
 */
export function agreementFigures(rows: readonly ReportRow[]): AgreementFigures {
  const compared = rows.filter((row) => row.agreement === 'agree' || row.agreement === 'disagree');
  // a flag is a score of 1 against a threshold of 1: the metrics module's own counting
  const matrix = confusionAtThreshold(
    compared.map((row) => (row.flagged ? 1 : 0)),
    compared.map((row) => (row.verdicts.at(-1)?.verdict === 'abnormal' ? 1 : 0)),
    1,
  );
  const count = (agreement: Agreement) => rows.filter((row) => row.agreement === agreement).length;
  const positives = matrix.truePositives + matrix.falseNegatives;
  const negatives = matrix.trueNegatives + matrix.falsePositives;
  return {
    ...matrix,
    sensitivity: positives > 0 ? sensitivity(matrix) : null,
    specificity: negatives > 0 ? specificity(matrix) : null,
    agreementRate:
      compared.length > 0 ? (matrix.truePositives + matrix.trueNegatives) / compared.length : null,
    compared: compared.length,
    uncertain: count('uncertain'),
    unreviewed: count('unreviewed'),
    unscored: count('unscored'),
    noThreshold: count('no-threshold'),
  };
}
