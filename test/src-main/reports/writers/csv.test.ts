/** CSV for systems: RFC 4180 quoting of names with commas, quotes and line breaks; empty fields for missing values. */
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, reportCsv } from '../../../../src-main/reports/writers/csv';
import { sampleReport } from './sample-report';

describe('reportCsv', () => {
  it('quotes fields that hold commas, quotes or line breaks and leaves missing values empty', () => {
    const report = sampleReport(1, () => ({
      patientName: 'O"Brien, Mary\nAnn',
      score: null,
      flagged: null,
      verdicts: [],
    }));
    const lines = reportCsv(report).split('\r\n');
    expect(lines[0]).toBe(CSV_COLUMNS.join(','));
    expect(lines[1]).toBe(
      `${report.contentSha256},"O""Brien, Mary\nAnn",ID00000,ACC0,1.2.826.0.1.3680043.8.498.1000,2026-03-04,model-1,AR v1,,0.5,1,,,,,,agree`,
    );
    expect(lines[2]).toBe('');
  });

  it('keeps a spreadsheet from running a name that looks like a formula', () => {
    const report = sampleReport(2, (_, i) => ({ patientName: i === 0 ? '=HYPERLINK("http://x","y")' : '-2+3' }));
    const [, first, second] = reportCsv(report).split('\r\n');
    expect(first!.split(',')[1]).toBe(`"'=HYPERLINK(""http://x""`);
    expect(second!.split(',')[1]).toBe("'-2+3");
  });
});
