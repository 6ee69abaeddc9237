/**
 * A small flowing layout over pdf-lib: A4 pages, a cursor that moves down,
 * wrapped text, and a new page (with the running footer) when the next block
 * does not fit. Standard fonts only hold WinAnsi characters, so text is
 * reduced to what the font can draw (anything else becomes '?').
 */
import type { PDFFont, PDFPage, RGB } from 'pdf-lib';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 48;
const FOOTER_SPACE = 28;

export const GREY = rgb(0.35, 0.35, 0.35);
export const BLACK = rgb(0, 0, 0);
export const RED = rgb(0.7, 0.05, 0.05);
export const GREEN = rgb(0.05, 0.45, 0.15);
export const AMBER = rgb(0.6, 0.35, 0);
export const RULE = rgb(0.8, 0.8, 0.8);

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

export class PdfFlow {
  page!: PDFPage;
  y = 0;
  readonly width = A4[0] - 2 * MARGIN;
  private readonly charsets = new Map<PDFFont, Set<number>>();

  private constructor(
    readonly doc: PDFDocument,
    readonly fonts: Fonts,
  ) {}

  static async create(): Promise<PdfFlow> {
    const doc = await PDFDocument.create();
    const fonts = {
      regular: await doc.embedFont(StandardFonts.Helvetica),
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      mono: await doc.embedFont(StandardFonts.Courier),
    };
    const flow = new PdfFlow(doc, fonts);
    flow.newPage();
    return flow;
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  /** Starts a new page unless `height` points still fit above the footer. */
  ensure(height: number): void {
    if (this.y - height < MARGIN + FOOTER_SPACE) this.newPage();
  }

  /** `text` reduced to the characters `font` can encode. */
  safe(text: string, font: PDFFont): string {
    let set = this.charsets.get(font);
    if (!set) {
      set = new Set(font.getCharacterSet());
      this.charsets.set(font, set);
    }
    const known = set;
    return Array.from(text.replace(/[\r\n\t]+/g, ' '), (ch) =>
      known.has(ch.codePointAt(0)!) ? ch : '?',
    ).join('');
  }

  /** Lines of at most `maxWidth` points: breaks at spaces, and inside words too long for a line (UIDs, hashes). */
  wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
    const clean = this.safe(text, font);
    const lines: string[] = [];
    let line = '';
    const fits = (t: string) => font.widthOfTextAtSize(t, size) <= maxWidth;
    for (const word of clean.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (fits(candidate)) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = word;
      while (rest.length > 1 && !fits(rest)) {
        // at least one character per line, however narrow the column
        let cut = rest.length - 1;
        while (cut > 1 && !fits(rest.slice(0, cut))) cut -= 1;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    if (line !== '' || lines.length === 0) lines.push(line);
    return lines;
  }

  /** A wrapped paragraph at the cursor. */
  text(
    text: string,
    options: { size?: number; font?: PDFFont; color?: RGB; indent?: number; gap?: number } = {},
  ): void {
    const size = options.size ?? 10;
    const font = options.font ?? this.fonts.regular;
    const indent = options.indent ?? 0;
    const leading = size * 1.3;
    for (const line of this.wrap(text, font, size, this.width - indent)) {
      this.ensure(leading);
      this.y -= leading;
      this.page.drawText(line, {
        x: MARGIN + indent,
        y: this.y + size * 0.25,
        size,
        font,
        color: options.color ?? BLACK,
      });
    }
    this.y -= options.gap ?? 2;
  }

  heading(text: string, size = 14): void {
    this.ensure(size * 3);
    this.y -= size * 0.6;
    this.text(text, { size, font: this.fonts.bold, gap: 6 });
  }

  /** `label: value` on one line (value wrapped under itself). */
  field(
    label: string,
    value: string,
    options: { mono?: boolean; color?: RGB; labelWidth?: number } = {},
  ): void {
    const size = 9;
    const labelWidth = options.labelWidth ?? 130;
    const font = options.mono ? this.fonts.mono : this.fonts.regular;
    const lines = this.wrap(value, font, size, this.width - labelWidth);
    const leading = size * 1.35;
    this.ensure(leading * Math.min(lines.length, 3));
    this.y -= leading;
    this.page.drawText(this.safe(label, this.fonts.bold), {
      x: MARGIN,
      y: this.y + 2,
      size,
      font: this.fonts.bold,
      color: GREY,
    });
    lines.forEach((line, index) => {
      if (index > 0) {
        this.ensure(leading);
        this.y -= leading;
      }
      this.page.drawText(line, {
        x: MARGIN + labelWidth,
        y: this.y + 2,
        size,
        font,
        color: options.color ?? BLACK,
      });
    });
  }

  rule(): void {
    this.ensure(8);
    this.y -= 4;
    this.page.drawLine({
      start: { x: MARGIN, y: this.y },
      end: { x: MARGIN + this.width, y: this.y },
      thickness: 0.5,
      color: RULE,
    });
    this.y -= 4;
  }

  /** Draws the footer on every page: `left` text and "page i of n". */
  footers(left: string): void {
    const pages = this.doc.getPages();
    pages.forEach((page, index) => {
      const size = 7;
      page.drawLine({
        start: { x: MARGIN, y: MARGIN + 12 },
        end: { x: A4[0] - MARGIN, y: MARGIN + 12 },
        thickness: 0.5,
        color: RULE,
      });
      page.drawText(this.safe(left, this.fonts.regular), {
        x: MARGIN,
        y: MARGIN,
        size,
        font: this.fonts.regular,
        color: GREY,
      });
      const right = `page ${index + 1} of ${pages.length}`;
      const width = this.fonts.regular.widthOfTextAtSize(right, size);
      page.drawText(right, {
        x: A4[0] - MARGIN - width,
        y: MARGIN,
        size,
        font: this.fonts.regular,
        color: GREY,
      });
    });
  }
}
