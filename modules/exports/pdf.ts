import path from 'node:path';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { formatDateTime } from './time';

/**
 * PDF building blocks on pdfkit with an embedded DejaVu font (pdfkit's built-in fonts have
 * no ş ğ ı İ). A report has a title, the filters applied and the date on its first page, a
 * page number on every page, and tables that continue over pages with their header
 * repeated. Portrait or landscape (automatic when the table is wide).
 */
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const FONTS = {
  condensed: path.join(FONT_DIR, 'DejaVuSansCondensed.ttf'),
  condensedBold: path.join(FONT_DIR, 'DejaVuSansCondensed-Bold.ttf'),
};

/** The parts of pdfkit's document the fast table path uses (not in its typings). */
interface PdfKitInternals {
  _font: { id: string; ascender: number; encode(text: string): [string[], { xAdvance: number }[]]; ref(): unknown };
  page: { height: number; fonts: Record<string, unknown> };
  addContent(s: string): void;
}

const glyphCaches = new WeakMap<object, Map<string, { hex: string; advance: number }>>();

export interface PdfColumn {
  header: string;
  /** Relative width (default 1); the table fills the page width. */
  weight?: number;
  align?: 'left' | 'right';
}

export interface PdfReportOptions {
  title: string;
  /** Lines describing the filters applied ("Aşama: Açık, İşlemde"); shown under the title. */
  filters?: string[];
  /** `auto` (default): landscape when `columnsHint` columns would not fit portrait. */
  layout?: 'portrait' | 'landscape' | 'auto';
  /** How many table columns the report will show (for `auto`). */
  columnsHint?: number;
}

const MARGIN = 36;
const FOOTER = 18;

export { formatDateTime };

/** One PDF document streamed to `out`. Call `finish()` at the end. */
export class PdfReport {
  readonly doc: PDFKit.PDFDocument;
  private page = 0;

  constructor(out: Writable, opts: PdfReportOptions) {
    const landscape = opts.layout === 'landscape' || (opts.layout !== 'portrait' && (opts.columnsHint ?? 0) > 7);
    this.doc = new PDFDocument({
      size: 'A4',
      layout: landscape ? 'landscape' : 'portrait',
      margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
      autoFirstPage: false,
      bufferPages: false,
      compress: true,
      info: { Title: opts.title, Creator: 'Çağrı Merkezi', Producer: 'Çağrı Merkezi' },
      lang: 'tr-TR',
    } as PDFKit.PDFDocumentOptions);
    // Two faces only (each embedded font is subset and compressed when the document ends,
    // synchronously): DejaVu Sans Condensed, regular and bold, for text and tables alike.
    this.doc.registerFont('body', FONTS.condensed);
    this.doc.registerFont('bold', FONTS.condensedBold);
    this.doc.pipe(out);
    this.doc.on('pageAdded', () => this.footer());
    this.doc.addPage();
    this.doc.font('bold').fontSize(16).text(opts.title, { width: this.width });
    this.doc.font('body').fontSize(9).fillColor('#444444');
    this.doc.text(formatDateTime(new Date()), { width: this.width });
    for (const f of opts.filters ?? []) this.doc.text(f, { width: this.width });
    this.doc.fillColor('black').moveDown(0.5);
  }

  get width(): number {
    return this.doc.page.width - MARGIN * 2;
  }

  /** Lowest y content may reach on this page. */
  get bottom(): number {
    return this.doc.page.height - MARGIN - FOOTER;
  }

  private footer(): void {
    this.page++;
    const { doc } = this;
    const y = doc.page.height - MARGIN - 10;
    const keepX = doc.x;
    const keepY = doc.y;
    doc.font('body').fontSize(8).fillColor('#666666');
    doc.text(`Sayfa ${this.page}`, MARGIN, y, { lineBreak: false });
    doc.fillColor('black');
    doc.x = keepX;
    doc.y = keepY;
  }

  /** A section heading. */
  heading(text: string): void {
    this.ensure(30);
    this.doc.moveDown(0.5).font('bold').fontSize(12).text(text, MARGIN, this.doc.y, { width: this.width });
    this.doc.moveDown(0.2);
  }

  /** A paragraph of wrapped text (long texts continue on the next page). */
  paragraph(text: string, size = 9): void {
    this.ensure(14);
    this.doc.font('body').fontSize(size).text(text, MARGIN, this.doc.y, { width: this.width });
  }

  /** Label / value pairs in two columns. */
  fields(pairs: [string, string][]): void {
    const labelW = Math.min(170, this.width * 0.3);
    for (const [label, value] of pairs) {
      this.doc.font('body').fontSize(9);
      const h = Math.max(12, this.doc.heightOfString(value || ' ', { width: this.width - labelW }));
      this.ensure(Math.min(h, 200));
      const y = this.doc.y;
      this.doc.font('bold').text(label, MARGIN, y, { width: labelW - 6 });
      this.doc.font('body').text(value || '–', MARGIN + labelW, y, { width: this.width - labelW });
      this.doc.y = Math.max(this.doc.y, y + 12);
    }
  }

  /** Starts a new page when less than `height` points are left on this one. */
  ensure(height: number): boolean {
    if (this.doc.y + height > this.bottom) {
      this.doc.addPage();
      return true;
    }
    return false;
  }

  table(columns: PdfColumn[], opts: { fontSize?: number } = {}): PdfTable {
    return new PdfTable(this, columns, opts.fontSize ?? 7.5);
  }

  /** Ends the document; resolves when `out` has every byte. */
  finish(out: Writable): Promise<void> {
    return new Promise((resolve, reject) => {
      out.once('finish', resolve);
      out.once('close', resolve);
      out.once('error', reject);
      this.doc.end();
    });
  }
}

/**
 * A table drawn row by row (one line per row, text cut with an ellipsis to its column), the
 * header repeated on each page. `add` is synchronous and cheap; callers streaming many rows
 * should yield to the event loop between batches.
 */
export class PdfTable {
  private readonly xs: number[] = [];
  private readonly ws: number[] = [];
  private readonly rowH: number;

  constructor(private readonly report: PdfReport, private readonly columns: PdfColumn[], private readonly size: number) {
    const total = columns.reduce((s, c) => s + (c.weight ?? 1), 0);
    let x = MARGIN;
    for (const c of columns) {
      const w = (report.width * (c.weight ?? 1)) / total;
      this.xs.push(x);
      this.ws.push(w);
      x += w;
    }
    this.rowH = size * 1.45;
    this.header();
  }

  private header(): void {
    const { doc } = this.report;
    this.report.ensure(this.rowH * 3);
    const y = doc.y;
    doc.rect(MARGIN, y - 1, this.report.width, this.rowH + 1).fill('#e8e8e8').fillColor('black');
    doc.font('bold').fontSize(this.size);
    this.line(this.columns.map((c) => c.header), y);
    doc.y = y + this.rowH + 1;
    doc.font('body');
  }

  /**
   * Draws one line of text cut to `width` (with an ellipsis), straight into the page's
   * content stream: one font encoding per cell, which also gives the width. pdfkit's
   * `text()` re-measures and re-transforms for every call and was 5x slower on big tables.
   */
  private cell(value: string, i: number, y: number): string {
    const text = value.replace(/\s+/g, ' ').trim();
    if (!text) return '';
    const { doc } = this.report;
    const d = doc as unknown as PdfKitInternals;
    const font = d._font;
    const scale = this.size / 1000;
    const width = (this.ws[i] - 4) / scale;
    const glyphs = this.glyphs(font);
    let total = 0;
    let hex = '';
    const ell = glyphs('…');
    const room = width - ell.advance;
    let cut = -1;
    let cutAt = 0;
    for (const ch of text) {
      const g = glyphs(ch);
      if (cut < 0 && total + g.advance > room) {
        cut = hex.length;
        cutAt = total;
      }
      total += g.advance;
      hex += g.hex;
      if (total > width) break;
    }
    if (total > width) {
      hex = hex.slice(0, cut) + ell.hex;
      total = cutAt + ell.advance;
    }
    const x = this.columns[i].align === 'right' ? this.xs[i] + 2 + (this.ws[i] - 4) - total * scale : this.xs[i] + 2;
    const baseline = d.page.height - y - (font.ascender / 1000) * this.size;
    return `1 0 0 1 ${x.toFixed(2)} ${baseline.toFixed(2)} Tm <${hex}> Tj `;
  }

  /** Cells of one row as one text object (PDF coordinates, origin bottom left). */
  private line(values: (string | null | undefined)[], y: number): void {
    const d = this.report.doc as unknown as PdfKitInternals;
    const font = d._font;
    let body = '';
    for (let i = 0; i < this.columns.length; i++) {
      const v = values[i];
      if (v) body += this.cell(v, i, y);
    }
    if (!body) return;
    if (d.page.fonts[font.id] == null) d.page.fonts[font.id] = font.ref();
    d.addContent(`q 1 0 0 -1 0 ${d.page.height} cm BT /${font.id} ${this.size} Tf ${body}ET Q`);
  }

  /**
   * Glyphs per character, encoded once per font (table cells are drawn without kerning or
   * ligatures; fontkit's full layout per cell cost 30 µs).
   */
  private glyphs(font: PdfKitInternals['_font']): (ch: string) => { hex: string; advance: number } {
    let cache = glyphCaches.get(font);
    if (!cache) glyphCaches.set(font, (cache = new Map()));
    const c = cache;
    return (ch) => {
      let g = c.get(ch);
      if (!g) {
        const [enc, pos] = font.encode(ch);
        g = { hex: enc.join(''), advance: pos.reduce((s, p) => s + p.xAdvance, 0) };
        c.set(ch, g);
      }
      return g;
    };
  }

  add(values: (string | null | undefined)[]): void {
    const { doc } = this.report;
    if (doc.y + this.rowH > this.report.bottom) {
      doc.addPage();
      doc.y = MARGIN;
      this.header();
    }
    const y = doc.y;
    doc.font('body').fontSize(this.size);
    this.line(values, y);
    doc.y = y + this.rowH;
  }
}
