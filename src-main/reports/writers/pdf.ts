/**
 * The report as a PDF for people (pdf-lib): title page with the period, the
 * content hash and the audit chain's state; scope (reviewers, model versions
 * with backbone sha256, preprocessing, thresholds); agreement figures; the
 * table of studies (header repeated across page breaks); key images; the
 * audit chain's verification in full. Every page's footer carries the hash.
 */
import type { PDFFont, RGB } from 'pdf-lib';
import type { AgreementFigures, BuiltReport, ReportModel, ReportRow } from '../model';
import { AMBER, BLACK, GREEN, GREY, MARGIN, PdfFlow, RED, RULE } from './pdf-layout';

export async function reportPdf(report: BuiltReport): Promise<Uint8Array> {
  const { model } = report;
  const flow = await PdfFlow.create();
  flow.doc.setTitle(`Normscope audit report ${model.scope.from} to ${model.scope.to}`);
  flow.doc.setSubject(`content sha256 ${report.contentSha256}`);
  flow.doc.setProducer(`Normscope ${model.normscopeVersion}`);
  flow.doc.setCreationDate(new Date(model.generatedAt));

  titlePage(flow, report);
  flow.newPage();
  scope(flow, model);
  agreement(flow, model.agreement);
  flow.newPage();
  studiesTable(flow, model.rows);
  await keyImages(flow, report);
  auditSection(flow, model, report.contentSha256);
  flow.footers(
    `Normscope audit report ${model.scope.from} to ${model.scope.to} - content sha256 ${report.contentSha256}`,
  );
  return flow.doc.save();
}

/** Up to 4 significant digits, no exponent for the usual ranges. */
export function formatNumber(value: number | null): string {
  if (value === null) return '-';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 0.001 && abs < 1e6 ? String(Number(value.toPrecision(4))) : value.toExponential(3);
}

function percent(value: number | null): string {
  return value === null ? 'undefined' : `${(100 * value).toFixed(1)} %`;
}

function titlePage(flow: PdfFlow, report: BuiltReport): void {
  const { model } = report;
  flow.y -= 120;
  flow.text('Normscope', { size: 12, color: GREY });
  flow.text('Audit report', { size: 28, font: flow.fonts.bold, gap: 12 });
  flow.text(`Period ${model.scope.from} to ${model.scope.to} (UTC, inclusive)`, {
    size: 13,
    gap: 20,
  });
  flow.field('Generated', `${model.generatedAt} by Normscope ${model.normscopeVersion}`);
  flow.field('Studies', String(model.rows.length));
  flow.field('Reviewers', model.scope.reviewers.join(', ') || 'none');
  if (model.scope.reviewerFilter) flow.field('Reviewer filter', model.scope.reviewerFilter);
  if (model.scope.modelFilter) flow.field('Model filter', model.scope.modelFilter);
  flow.field(
    'De-identified',
    model.scope.deidentified ? 'yes (see scope)' : 'no: this report holds patient identifiers',
  );
  flow.field('Audit chain', model.audit.summary, { color: model.audit.ok ? GREEN : RED });
  flow.field('Content sha256', report.contentSha256, { mono: true });
  if (model.scope.modelVersions.some((m) => m.backbone.standIn)) {
    flow.y -= 16;
    flow.text('A stand-in backbone scored studies in this report: not for clinical use.', {
      size: 12,
      font: flow.fonts.bold,
      color: AMBER,
    });
  }
  flow.y -= 24;
  flow.text(
    'The content hash is the sha256 of the canonical JSON (keys sorted, no whitespace) of the report model; the JSON export holds that model with contentSha256 added.',
    { size: 8, color: GREY },
  );
}

function scope(flow: PdfFlow, model: ReportModel): void {
  flow.heading('Scope');
  flow.field('Period', `${model.scope.from} to ${model.scope.to}`);
  flow.field('Reviewers', model.scope.reviewers.join(', ') || 'none');
  flow.field('Reviewer filter', model.scope.reviewerFilter ?? 'all reviewers');
  flow.field('Model filter', model.scope.modelFilter ?? 'all model versions');
  if (model.scope.deidentification) flow.field('De-identification', model.scope.deidentification);
  if (model.scope.modelVersions.length === 0)
    flow.text('No study in scope was scored.', { size: 9, color: GREY });
  for (const version of model.scope.modelVersions) {
    flow.rule();
    flow.text(`Model version ${version.name}`, { size: 11, font: flow.fonts.bold });
    flow.field('Id', version.id, { mono: true });
    flow.field(
      'Backbone',
      `${version.backbone.name}${version.backbone.standIn ? ' (STAND-IN: not for clinical use)' : ''}`,
      {
        color: version.backbone.standIn ? AMBER : BLACK,
      },
    );
    flow.field('Backbone sha256', version.backbone.sha256, { mono: true });
    flow.field('Weights sha256', version.weightsSha256, { mono: true });
    flow.field('AR model', JSON.stringify(version.arConfig));
    flow.field(
      'Preprocessing',
      `${version.preprocessingVersion}: ${JSON.stringify(version.preprocessing)}`,
    );
    if (version.thresholds.length === 0) flow.field('Thresholds', 'none in force');
    for (const t of version.thresholds) {
      flow.field(
        `Threshold #${t.id}`,
        `image ${formatNumber(t.imageThreshold)}, pixel ${formatNumber(t.pixelThreshold)}; saved ${t.createdAt} by ${t.createdBy}; ${JSON.stringify(t.method)}`,
      );
    }
  }
}

function agreement(flow: PdfFlow, figures: AgreementFigures): void {
  flow.heading('Agreement of AI flags with verdicts');
  flow.text(
    'A study is flagged when its score is at or above the image threshold in force; abnormal verdicts are the positives. Only studies with both a flag and a normal or abnormal verdict are compared.',
    { size: 9, color: GREY, gap: 8 },
  );
  const cell = 110;
  const height = 22;
  const x0 = MARGIN + 120;
  flow.ensure(height * 3 + 10);
  const top = flow.y;
  const draw = (text: string, col: number, row: number, bold = false) => {
    const font = bold ? flow.fonts.bold : flow.fonts.regular;
    flow.page.drawText(text, {
      x: x0 + col * cell + 6,
      y: top - (row + 1) * height + 7,
      size: 9,
      font,
    });
  };
  for (let row = 0; row < 3; row++) {
    for (let col = 0; col < 3; col++) {
      flow.page.drawRectangle({
        x: x0 + col * cell,
        y: top - (row + 1) * height,
        width: cell,
        height,
        borderColor: RULE,
        borderWidth: 0.7,
      });
    }
  }
  draw('', 0, 0);
  draw('Verdict abnormal', 1, 0, true);
  draw('Verdict normal', 2, 0, true);
  draw('AI flagged', 0, 1, true);
  draw(`TP ${figures.truePositives}`, 1, 1);
  draw(`FP ${figures.falsePositives}`, 2, 1);
  draw('AI not flagged', 0, 2, true);
  draw(`FN ${figures.falseNegatives}`, 1, 2);
  draw(`TN ${figures.trueNegatives}`, 2, 2);
  flow.y = top - 3 * height - 10;
  const tp = figures.truePositives;
  const fn = figures.falseNegatives;
  const tn = figures.trueNegatives;
  const fp = figures.falsePositives;
  flow.field('Sensitivity', `${percent(figures.sensitivity)} (TP ${tp} / (TP ${tp} + FN ${fn}))`);
  flow.field('Specificity', `${percent(figures.specificity)} (TN ${tn} / (TN ${tn} + FP ${fp}))`);
  flow.field(
    'Agreement',
    `${percent(figures.agreementRate)} (${tp + tn} of ${figures.compared} compared studies)`,
  );
  flow.field(
    'Not compared',
    `${figures.uncertain} uncertain verdict(s), ${figures.unreviewed} unreviewed, ${figures.unscored} unscored, ${figures.noThreshold} without a threshold`,
  );
}

interface Column {
  title: string;
  width: number;
  cell(row: ReportRow): Array<{ text: string; font?: 'bold' | 'mono'; color?: RGB }>;
}

const AGREEMENT_COLOUR: Record<ReportRow['agreement'], RGB> = {
  agree: GREEN,
  disagree: RED,
  uncertain: AMBER,
  unreviewed: GREY,
  unscored: GREY,
  'no-threshold': GREY,
};

const COLUMNS: Column[] = [
  {
    title: 'Patient',
    width: 84,
    cell: (row) => [
      { text: row.patientName ?? '(no name)', font: 'bold' },
      { text: row.patientId },
      ...(row.accessionNumber ? [{ text: `Acc. ${row.accessionNumber}` }] : []),
    ],
  },
  { title: 'Study date', width: 48, cell: (row) => [{ text: row.studyDate ?? '-' }] },
  { title: 'Study UID', width: 90, cell: (row) => [{ text: row.studyUid, font: 'mono' }] },
  { title: 'Model', width: 46, cell: (row) => [{ text: row.modelName ?? '-' }] },
  { title: 'Score', width: 32, cell: (row) => [{ text: formatNumber(row.score) }] },
  { title: 'Thresh.', width: 36, cell: (row) => [{ text: formatNumber(row.imageThreshold) }] },
  {
    title: 'Flag',
    width: 26,
    cell: (row) => [
      {
        text: row.flagged === null ? '-' : row.flagged ? 'yes' : 'no',
        font: row.flagged ? 'bold' : undefined,
      },
    ],
  },
  {
    title: 'Verdicts (reviewer, time)',
    width: 90,
    cell: (row) =>
      row.verdicts.length === 0
        ? [{ text: 'none', color: GREY }]
        : row.verdicts.flatMap((v, index) => [
            {
              text: v.verdict,
              font: index === row.verdicts.length - 1 ? ('bold' as const) : undefined,
            },
            { text: v.reviewer, color: GREY },
            { text: `${v.at.slice(0, 10)} ${v.at.slice(11, 16)}`, color: GREY },
          ]),
  },
];
const AGREEMENT_WIDTH = 499.28 - COLUMNS.reduce((sum, c) => sum + c.width, 0);

function studiesTable(flow: PdfFlow, rows: ReportRow[]): void {
  flow.heading('Studies');
  if (rows.length === 0) {
    flow.text('No study had a verdict or a score in this period.', { size: 9, color: GREY });
    return;
  }
  const size = 7;
  const leading = size * 1.25;
  const fontOf = (kind?: 'bold' | 'mono'): PDFFont =>
    kind === 'bold' ? flow.fonts.bold : kind === 'mono' ? flow.fonts.mono : flow.fonts.regular;
  const columns = [
    ...COLUMNS,
    {
      title: 'Agreement',
      width: AGREEMENT_WIDTH,
      cell: (row: ReportRow) => [
        { text: row.agreement, font: 'bold' as const, color: AGREEMENT_COLOUR[row.agreement] },
      ],
    },
  ];

  const header = () => {
    flow.ensure(18);
    let x = MARGIN;
    flow.page.drawRectangle({
      x: MARGIN,
      y: flow.y - 14,
      width: flow.width,
      height: 14,
      color: RULE,
    });
    for (const column of columns) {
      flow.page.drawText(column.title, { x: x + 2, y: flow.y - 10, size, font: flow.fonts.bold });
      x += column.width;
    }
    flow.y -= 16;
  };
  header();
  for (const row of rows) {
    const cells = columns.map((column) =>
      column
        .cell(row)
        .flatMap((part) =>
          flow
            .wrap(part.text, fontOf(part.font), size, column.width - 4)
            .map((line) => ({ ...part, text: line })),
        ),
    );
    const height = Math.max(...cells.map((c) => c.length)) * leading + 4;
    if (flow.y - height < MARGIN + 28) {
      flow.newPage();
      header();
    }
    let x = MARGIN;
    cells.forEach((lines, index) => {
      lines.forEach((line, k) => {
        flow.page.drawText(line.text, {
          x: x + 2,
          y: flow.y - (k + 1) * leading + 1,
          size,
          font: fontOf(line.font),
          color: line.color ?? BLACK,
        });
      });
      x += columns[index]!.width;
    });
    flow.y -= height;
    flow.page.drawLine({
      start: { x: MARGIN, y: flow.y + 1 },
      end: { x: MARGIN + flow.width, y: flow.y + 1 },
      thickness: 0.4,
      color: RULE,
    });
  }
}

async function keyImages(flow: PdfFlow, report: BuiltReport): Promise<void> {
  const { model } = report;
  flow.newPage();
  flow.heading('Key images');
  flow.text(
    "The most anomalous slice of each flagged or disagreed study, with the anomaly map above the pixel threshold in force overlaid (inferno colour map, half opacity), drawn by the viewer's code.",
    { size: 9, color: GREY, gap: 8 },
  );
  if (model.keyImages.length === 0 && model.keyImageProblems.length === 0) {
    flow.text('No study in scope was flagged or disagreed with.', { size: 9, color: GREY });
  }
  const rowByUid = new Map(model.rows.map((row) => [row.studyUid, row]));
  const box = (flow.width - 20) / 2;
  const captionHeight = 40;
  for (let index = 0; index < model.keyImages.length; index++) {
    const image = model.keyImages[index]!;
    const column = index % 2;
    if (column === 0) flow.ensure(box + captionHeight + 10);
    const top = flow.y;
    const x = MARGIN + column * (box + 20);
    const embedded = await flow.doc.embedPng(report.images.get(image.pngSha256)!);
    const scale = Math.min(box / image.width, box / image.height);
    const w = image.width * scale;
    const h = image.height * scale;
    flow.page.drawImage(embedded, { x: x + (box - w) / 2, y: top - h, width: w, height: h });
    const row = rowByUid.get(image.studyUid);
    const caption = [
      `${row?.patientName ?? ''} ${row?.patientId ?? ''} - ${image.reason === 'disagreement' ? 'AI and verdict disagree' : 'flagged'}`,
      `image score ${formatNumber(image.imageScore)}, study score ${formatNumber(row?.score ?? null)}, verdict ${row?.verdicts.at(-1)?.verdict ?? 'none'}`,
      `instance ${image.sopInstanceUid} frame ${image.frame}`,
    ];
    caption.forEach((line, k) => {
      const font = k === 2 ? flow.fonts.mono : k === 0 ? flow.fonts.bold : flow.fonts.regular;
      const text = flow.wrap(line, font, 6.5, box)[0] ?? '';
      flow.page.drawText(text, {
        x,
        y: top - box - 10 - k * 9,
        size: 6.5,
        font,
        color: k === 0 ? BLACK : GREY,
      });
    });
    if (column === 1 || index === model.keyImages.length - 1)
      flow.y = top - box - captionHeight - 10;
  }
  for (const problem of model.keyImageProblems) {
    flow.text(`No key image for study ${problem.studyUid}: ${problem.reason}`, {
      size: 8,
      color: AMBER,
    });
  }
}

function auditSection(flow: PdfFlow, model: ReportModel, contentSha256: string): void {
  flow.ensure(170); // the section stays on one page
  flow.heading('Audit trail');
  const audit = model.audit;
  flow.field('Verification', audit.summary, { color: audit.ok ? GREEN : RED });
  flow.field('Checked at', audit.checkedAt);
  flow.field('Entries checked', String(audit.entries));
  if (audit.headSeq !== null) flow.field('Head entry', `#${audit.headSeq}`);
  if (audit.anchor) flow.field('Head anchor', audit.anchor);
  if (audit.brokenSeq !== null)
    flow.field('First broken entry', `#${audit.brokenSeq}: ${audit.reason ?? ''}`, { color: RED });
  flow.rule();
  flow.field('Report content sha256', contentSha256, { mono: true });
}
