import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { EXPORT_TIME_ZONE, wallClock } from './time';

/** A column of a streamed sheet. `type` decides the cell type and number format. */
export interface XlsxColumn {
  header: string;
  /** Width in characters (Excel's unit); defaults from the header and type. */
  width?: number;
  type?: 'string' | 'number' | 'integer' | 'date' | 'datetime' | 'boolean';
}

export type CellValue = string | number | boolean | Date | null | undefined;

/**
 * Text that a spreadsheet would read as a formula (or that breaks cells) starts with
 * = + - @, tab, CR or NUL: such text gets a leading apostrophe-like guard (a quote
 * character U+0027) so it stays text. NUL is also removed (XML cannot hold it).
 */
export function neutralise(text: string): string {
  if (!text) return text;
  const first = text.charCodeAt(0);
  const risky = first === 0x3d /* = */ || first === 0x2b /* + */ || first === 0x2d /* - */ || first === 0x40 /* @ */ || first === 0x09 || first === 0x0d || first === 0x00;
  // XML 1.0 cannot carry most C0 controls: drop them (tab, LF and CR are kept inside text).
  let clean = text;
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      clean = [...clean].filter((ch) => {
        const k = ch.charCodeAt(0);
        return k >= 0x20 || k === 0x09 || k === 0x0a || k === 0x0d;
      }).join('');
      break;
    }
  }
  return risky ? `'${clean}` : clean;
}

/** A typed cell value: dates stay dates, numbers numbers, text is neutralised. */
export function cellOf(value: CellValue, type: XlsxColumn['type'] = 'string'): CellValue {
  if (value === null || value === undefined || value === '') return null;
  if (type === 'date' || type === 'datetime') {
    const d = value instanceof Date ? value : new Date(String(value));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (type === 'number' || type === 'integer') {
    const n = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(n) ? n : null;
  }
  if (type === 'boolean') return typeof value === 'boolean' ? value : value === 'true';
  return neutralise(value instanceof Date ? value.toISOString() : String(value));
}

function columnLetter(n: number): string {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
function escapeXml(s: string): string {
  return /[&<>"]/.test(s) ? s.replace(/[&<>"]/g, (c) => XML_ESCAPES[c]) : s;
}

const FORMAT: Record<string, string | undefined> = { date: 'dd.mm.yyyy', datetime: 'dd.mm.yyyy hh:mm', integer: '0', number: '#,##0.00' };

export interface XlsxSheetOptions {
  name: string;
  columns: XlsxColumn[];
  /**
   * `datetime` cells hold the wall-clock time in this zone (default Europe/Istanbul): a
   * spreadsheet has no zones, so an instant written as UTC would read hours off the screen.
   * `date` cells are calendar days and are written as they are.
   */
  timeZone?: string;
}

/**
 * A streamed .xlsx workbook (exceljs WorkbookWriter): rows are committed as they are added,
 * so memory stays constant whatever the row count. Inline strings (no shared-string table
 * to keep in memory). Usage:
 *
 *   const book = new XlsxStream(fs.createWriteStream(file));
 *   const sheet = book.sheet({ name: 'Başvurular', columns });
 *   for (const r of rows) sheet.add(r);      // values in column order
 *   await book.finish();
 */
export class XlsxStream {
  readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;

  constructor(stream: Writable) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false, useStyles: true });
    this.workbook.creator = 'Çağrı Merkezi';
    this.workbook.created = new Date();
  }

  sheet(opts: XlsxSheetOptions): XlsxSheet {
    return new XlsxSheet(this.workbook, opts);
  }

  /** Commits every sheet and closes the archive (resolves once the stream has it all). */
  async finish(): Promise<void> {
    await this.workbook.commit();
  }
}

export class XlsxSheet {
  readonly worksheet: ExcelJS.Worksheet;
  private readonly types: XlsxColumn['type'][];
  /**
   * One style object per column, shared by its cells: exceljs caches style ids by object
   * identity, so shared objects skip its per-cell style serialisation (most of the time).
   */
  private readonly styles: Partial<ExcelJS.Style>[];
  private readonly styleIds: number[];
  private readonly refs: string[];
  private readonly timeZone: string;
  private readonly stream: { write(s: string): void };
  private rowNumber = 1;

  constructor(workbook: ExcelJS.stream.xlsx.WorkbookWriter, opts: XlsxSheetOptions) {
    // Sheet names: at most 31 characters, none of : \ / ? * [ ].
    const name = opts.name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'Sheet1';
    this.worksheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
    this.types = opts.columns.map((c) => c.type ?? 'string');
    this.timeZone = opts.timeZone ?? EXPORT_TIME_ZONE;
    this.styles = this.types.map((t) => (FORMAT[t ?? 'string'] ? { numFmt: FORMAT[t ?? 'string'] } : {}));
    this.worksheet.columns = opts.columns.map((c, i) => ({
      key: `c${i}`,
      width: c.width ?? Math.min(60, Math.max(10, c.header.length + 2, c.type === 'datetime' ? 17 : c.type === 'date' ? 12 : 10)),
      style: this.styles[i],
    }));
    if (opts.columns.length) this.worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: opts.columns.length } };
    const header = this.worksheet.addRow(opts.columns.map((c) => neutralise(c.header)));
    header.font = { bold: true };
    header.commit();
    const styles = (workbook as unknown as { styles: { addStyleModel(style: object, type: number): number } }).styles;
    this.styleIds = this.types.map((t, i) => (FORMAT[t ?? 'string'] ? styles.addStyleModel(this.styles[i], t === 'date' || t === 'datetime' ? ExcelJS.ValueType.Date : ExcelJS.ValueType.Number) : 0));
    this.refs = opts.columns.map((_, i) => columnLetter(i + 1));
    this.stream = (this.worksheet as unknown as { stream: { write(s: string): void } }).stream;
  }

  /**
   * Adds one row (values in column order), written straight to the sheet's XML stream as one
   * string: exceljs's Row/Cell objects cost ~5x more time and most of the garbage on a million
   * rows. Uses exceljs 4.4's WorksheetWriter stream and style table (pinned version).
   */
  add(values: CellValue[]): void {
    const n = ++this.rowNumber;
    let xml = `<row r="${n}">`;
    for (let i = 0; i < values.length; i++) {
      const v = cellOf(values[i], this.types[i]);
      if (v === null || v === undefined) continue;
      const ref = `${this.refs[i]}${n}`;
      const st = this.styleIds[i] ? ` s="${this.styleIds[i]}"` : '';
      if (typeof v === 'string') xml += `<c r="${ref}" t="inlineStr"${st}><is><t xml:space="preserve">${escapeXml(v.length > 32_767 ? v.slice(0, 32_767) : v)}</t></is></c>`;
      else if (typeof v === 'number') xml += `<c r="${ref}"${st}><v>${v}</v></c>`;
      else if (typeof v === 'boolean') xml += `<c r="${ref}" t="b"${st}><v>${v ? 1 : 0}</v></c>`;
      else if (v instanceof Date) {
        const t = this.types[i] === 'datetime' ? wallClock(v, this.timeZone).getTime() : v.getTime();
        xml += `<c r="${ref}"${st}><v>${25569 + t / 86_400_000}</v></c>`;
      }
    }
    this.stream.write(`${xml}</row>`);
  }

  /**
   * Waits while the compressor is behind: exceljs pushes committed rows into the zip without
   * back-pressure, so a fast producer would pile uncompressed XML up in memory.
   */
  async drain(): Promise<void> {
    // The zip entry's input (archiver's readable-stream PassThrough, without the newer getters).
    const target = (this.worksheet as unknown as { stream?: { pipes?: unknown[] } }).stream?.pipes?.[0] as
      | (NodeJS.EventEmitter & { _writableState?: { length: number; needDrain: boolean } })
      | undefined;
    const state = target?._writableState;
    if (state && (state.needDrain || state.length > 1024 * 1024)) await new Promise((r) => target!.once('drain', r));
  }

  commit(): void {
    this.worksheet.commit();
  }
}
