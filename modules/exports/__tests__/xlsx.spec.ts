import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { cellOf, neutralise, XlsxStream } from '../xlsx';

describe('xlsx building blocks', () => {
  test('neutralise: text starting with = + - @ tab CR or NUL cannot run as a formula', () => {
    expect(neutralise("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(neutralise('+1')).toBe("'+1");
    expect(neutralise('-1')).toBe("'-1");
    expect(neutralise('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(neutralise('\tx')).toBe("'\tx");
    expect(neutralise('\rx')).toBe("'\rx");
    expect(neutralise('\u0000=1')).toBe("'=1");
    expect(neutralise('İstanbul = güzel')).toBe('İstanbul = güzel');
    expect(cellOf(-5, 'number')).toBe(-5);
    expect(cellOf('2026-03-01T10:00:00Z', 'datetime')).toEqual(new Date('2026-03-01T10:00:00Z'));
  });

  test('a streamed sheet reads back with types, frozen header and auto-filter', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const book = new XlsxStream(out);
    const sheet = book.sheet({ name: 'Şube: İstanbul/Şişli', columns: [{ header: 'Ad' }, { header: 'Tarih', type: 'date' }, { header: 'Tutar', type: 'number' }, { header: 'Evet', type: 'boolean' }] });
    sheet.add(['ŞİŞLİ ığüşöç', new Date('2026-01-02T00:00:00Z'), 12.5, true]);
    sheet.add(['\u0000@x', null, '7', false]);
    sheet.commit();
    await book.finish();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as never);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Şube  İstanbul Şişli');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
    expect(ws.getRow(2).getCell(1).value).toBe('ŞİŞLİ ığüşöç');
    expect(ws.getRow(2).getCell(2).value).toEqual(new Date('2026-01-02T00:00:00Z'));
    expect(ws.getRow(2).getCell(2).numFmt).toBe('dd.mm.yyyy');
    expect(ws.getRow(2).getCell(3).value).toBe(12.5);
    expect(ws.getRow(2).getCell(4).value).toBe(true);
    expect(ws.getRow(3).getCell(1).value).toBe("'@x");
    expect(ws.getRow(3).getCell(3).value).toBe(7);
  });
});
