import fs from 'node:fs';
import { once } from 'node:events';
import type { Context } from '../../../api/context';
import { ForbiddenError } from '../../../api/errors';
import { ExportFormat, type ExportJob } from '../../exports/entities/export-job.entity';
import { PdfReport, type PdfTable } from '../../exports/pdf';
import { queueJob, registerRunner, type JobProgress } from '../../exports/services/job.service';
import { XlsxStream } from '../../exports/xlsx';
import { describeFilter, referenceNames, reviveFilter } from '../../exports/services/application-rows';
import { StatKind } from '../../applications/services/statistics.service';
import { DashboardGranularity, type DashboardInput, type DashboardPeriod } from '../dto/dashboard.types';
import { dashboardService } from './dashboard.service';

/** One widget as rows of label and value(s), ready for a chart, a table and a sheet. */
interface Section {
  title: string;
  sheet: string;
  columns: string[];
  rows: { label: string; values: number[] }[];
  /** Index of the value the chart draws. */
  chart: number;
}

const NONE = '—';
const day = (d: string) => d.split('-').reverse().join('.');

/** Every widget the viewer may read (a widget whose field a rule hides is left out). */
async function sections(ctx: Context, input: DashboardInput): Promise<{ totals: [string, number | null][]; sections: Section[]; timeline: DashboardPeriod[] }> {
  const src = await dashboardService.source(ctx, input);
  const t = await dashboardService.totals(ctx, src);
  const totals: [string, number | null][] = [
    ['Toplam başvuru', t.total],
    ['Açık', t.open],
    ['Kapalı', t.closed],
    ['Ortalama kabul süresi (saat)', t.averageHoursToAcceptance],
    ['Ortalama kapanış süresi (saat)', t.averageHoursToClose],
  ];
  const out: Section[] = [];
  const add = async (make: () => Promise<Section>) => {
    try {
      out.push(await make());
    } catch (err) {
      if (!(err instanceof ForbiddenError)) throw err;
    }
  };
  const counts = (title: string, sheet: string, rows: { label: string | null; count: number }[], none = NONE): Section => ({
    title,
    sheet,
    columns: [title, 'Başvuru'],
    rows: rows.map((r) => ({ label: r.label ?? none, values: [r.count] })),
    chart: 0,
  });
  const minutes = (title: string, sheet: string, rows: { label: string | null; minutes: number }[], none = NONE): Section => ({
    title,
    sheet,
    columns: [title, 'Dakika'],
    rows: rows.map((r) => ({ label: r.label ?? none, values: [r.minutes] })),
    chart: 0,
  });
  const workload = (title: string, sheet: string, rows: { label: string | null; open: number; closed: number; total: number }[], none: string): Section => ({
    title,
    sheet,
    columns: [title, 'Açık', 'Kapalı', 'Toplam'],
    rows: rows.map((r) => ({ label: r.label ?? none, values: [r.open, r.closed, r.total] })),
    chart: 2,
  });
  await add(async () => counts('Aşamalar', 'Aşamalar', await dashboardService.byStage(ctx, src)));
  await add(async () => counts('Kategoriler', 'Kategoriler', await dashboardService.categoryCounts(ctx, src, input.categoryParentId), '(alt kırılım yok)'));
  await add(async () => counts('En çok başvuran hesaplar', 'Hesaplar', await dashboardService.top(ctx, src, StatKind.APPLICANT, input.top)));
  await add(async () => counts('En çok başvuru alan projeler', 'Projeler', await dashboardService.top(ctx, src, StatKind.PROJECT, input.top)));
  await add(async () => workload('Atanan kullanıcılar', 'Kullanıcılar', await dashboardService.workload(ctx, src, 'user'), 'Kullanıcı atanmamış'));
  await add(async () => workload('Takımlar', 'Takımlar', await dashboardService.workload(ctx, src, 'team'), 'Takım atanmamış'));
  await add(async () => minutes('Harcanan süre: kullanıcı', 'Süre - kullanıcı', await dashboardService.minutes(ctx, src, StatKind.TIME_USER, input.top)));
  await add(async () => minutes('Harcanan süre: kategori', 'Süre - kategori', await dashboardService.categoryMinutes(ctx, src, input.categoryParentId), '(alt kırılım yok)'));
  await add(async () => minutes('Harcanan süre: proje', 'Süre - proje', await dashboardService.minutes(ctx, src, StatKind.TIME_PROJECT, input.top), 'Projesiz'));
  await add(async () => minutes('Harcanan süre: hesap', 'Süre - hesap', await dashboardService.minutes(ctx, src, StatKind.TIME_ACCOUNT, input.top)));
  const timeline = await dashboardService.timeline(ctx, src, input);
  return { totals, sections: out, timeline };
}

const COLORS = ['#1976d2', '#388e3c', '#f57c00', '#7b1fa2', '#0097a7', '#c2185b', '#5d4037', '#455a64'];

/** Horizontal bars, drawn as vector rectangles with their labels and values. */
function barChart(report: PdfReport, s: Section): void {
  const rows = s.rows.slice(0, 15);
  if (!rows.length) return;
  const { doc } = report;
  const barH = 11;
  const gap = 4;
  const height = rows.length * (barH + gap) + 6;
  report.ensure(height);
  const x0 = doc.page.margins.left;
  const labelW = Math.min(180, report.width * 0.35);
  const valueW = 50;
  const maxW = report.width - labelW - valueW - 10;
  const max = Math.max(1, ...rows.map((r) => r.values[s.chart]));
  let y = doc.y + 3;
  rows.forEach((r, i) => {
    const v = r.values[s.chart];
    const w = Math.max(v > 0 ? 1 : 0, (v / max) * maxW);
    doc.font('body').fontSize(8).fillColor('#222222').text(r.label, x0, y + 1.5, { width: labelW - 6, height: barH, ellipsis: true, lineBreak: false });
    doc.rect(x0 + labelW, y, w, barH).fill(COLORS[i % COLORS.length]);
    doc.fillColor('#222222').text(v.toLocaleString('tr-TR'), x0 + labelW + w + 4, y + 1.5, { width: valueW, lineBreak: false });
    y += barH + gap;
  });
  doc.fillColor('black');
  doc.x = x0;
  doc.y = y + 4;
}

/** Opened and closed per period as two polylines over a light grid. */
function lineChart(report: PdfReport, periods: DashboardPeriod[]): void {
  if (!periods.length) return;
  const { doc } = report;
  const h = 140;
  report.ensure(h + 30);
  const x0 = doc.page.margins.left + 30;
  const w = report.width - 40;
  const top = doc.y + 5;
  const max = Math.max(1, ...periods.map((p) => Math.max(p.opened, p.closed)));
  const xAt = (i: number) => x0 + (periods.length === 1 ? w / 2 : (i / (periods.length - 1)) * w);
  const yAt = (v: number) => top + h - (v / max) * h;
  doc.lineWidth(0.5).strokeColor('#cccccc');
  for (let k = 0; k <= 4; k++) {
    const y = top + (k / 4) * h;
    doc.moveTo(x0, y).lineTo(x0 + w, y).stroke();
    doc.font('body').fontSize(7).fillColor('#666666').text(Math.round(max - (k / 4) * max).toLocaleString('tr-TR'), x0 - 30, y - 3, { width: 26, align: 'right', lineBreak: false });
  }
  const series: [keyof DashboardPeriod, string][] = [
    ['opened', '#1976d2'],
    ['closed', '#388e3c'],
  ];
  for (const [key, color] of series) {
    doc.lineWidth(1.5).strokeColor(color);
    periods.forEach((p, i) => (i === 0 ? doc.moveTo(xAt(i), yAt(p[key] as number)) : doc.lineTo(xAt(i), yAt(p[key] as number))));
    doc.stroke();
  }
  doc.font('body').fontSize(7).fillColor('#444444');
  doc.text(day(periods[0].start), x0, top + h + 3, { lineBreak: false });
  doc.text(day(periods[periods.length - 1].start), x0 + w - 40, top + h + 3, { width: 40, align: 'right', lineBreak: false });
  doc.fillColor('#1976d2').text('■ Açılan', x0 + w / 2 - 60, top + h + 3, { lineBreak: false });
  doc.fillColor('#388e3c').text('■ Kapanan', x0 + w / 2 + 10, top + h + 3, { lineBreak: false });
  doc.fillColor('black').strokeColor('black').lineWidth(1);
  doc.x = doc.page.margins.left;
  doc.y = top + h + 18;
}

function table(report: PdfReport, s: Section): void {
  const t: PdfTable = report.table(s.columns.map((c, i) => ({ header: c, weight: i === 0 ? 4 : 1, align: i === 0 ? 'left' : 'right' })), { fontSize: 8 });
  for (const r of s.rows) t.add([r.label, ...r.values.map((v) => v.toLocaleString('tr-TR'))]);
}

async function describe(ctx: Context, input: DashboardInput): Promise<string[]> {
  return [`Tarih aralığı: ${day(input.from)} – ${day(input.to)}`, ...describeFilter(input.filter, await referenceNames(ctx))];
}

const GRANULARITY: Record<DashboardGranularity, string> = { DAY: 'Gün', WEEK: 'Hafta', MONTH: 'Ay' };

async function run(ctx: Context, job: ExportJob, progress: JobProgress) {
  const input = job.params.input as DashboardInput;
  input.filter = reviveFilter(input.filter as Record<string, unknown> | undefined);
  input.granularity ??= DashboardGranularity.DAY;
  input.top ??= 10;
  await progress.setTotal(2);
  const data = await sections(ctx, input);
  if (!(await progress.report(1))) return { rowCount: 0 };
  const stamp = `${input.from}_${input.to}`;
  if (job.format === ExportFormat.PDF) {
    const file = progress.file('pdf');
    const out = fs.createWriteStream(file.path);
    const report = new PdfReport(out, { title: 'Çağrı merkezi paneli', filters: await describe(ctx, input), layout: 'portrait' });
    report.heading('Özet');
    report.fields(data.totals.map(([k, v]) => [k, v === null ? NONE : v.toLocaleString('tr-TR')]));
    report.heading(`Açılan ve kapanan başvurular (${GRANULARITY[input.granularity].toLocaleLowerCase('tr-TR')})`);
    lineChart(report, data.timeline);
    for (const s of data.sections) {
      report.heading(s.title);
      if (!s.rows.length) {
        report.paragraph('Kayıt yok.');
        continue;
      }
      barChart(report, s);
      table(report, s);
    }
    await report.finish(out);
    await progress.report(2);
    return { rowCount: data.sections.reduce((n, s) => n + s.rows.length, 0), fileName: `Panel ${stamp}.pdf`, storageKey: file.key };
  }
  const file = progress.file('xlsx');
  const out = fs.createWriteStream(file.path);
  const book = new XlsxStream(out);
  // One typed row: the range as dates, the totals as numbers.
  const summary = book.sheet({
    name: 'Özet',
    columns: [{ header: 'Başlangıç', type: 'date' }, { header: 'Bitiş', type: 'date' }, ...data.totals.map(([k]) => ({ header: k, type: 'number' as const, width: Math.max(12, k.length + 2) }))],
  });
  summary.add([new Date(`${input.from}T00:00:00Z`), new Date(`${input.to}T00:00:00Z`), ...data.totals.map(([, v]) => v)]);
  summary.commit();
  const tl = book.sheet({ name: 'Zaman çizelgesi', columns: [{ header: GRANULARITY[input.granularity], type: 'date' }, { header: 'Açılan', type: 'integer' }, { header: 'Kapanan', type: 'integer' }] });
  for (const p of data.timeline) tl.add([new Date(`${p.start}T00:00:00Z`), p.opened, p.closed]);
  tl.commit();
  for (const s of data.sections) {
    const sheet = book.sheet({ name: s.sheet, columns: s.columns.map((c, i) => ({ header: c, type: i === 0 ? 'string' : 'integer', width: i === 0 ? 40 : 12 })) });
    for (const r of s.rows) sheet.add([r.label, ...r.values]);
    sheet.commit();
  }
  await book.finish();
  if (!out.writableFinished) await once(out, 'finish');
  await progress.report(2);
  return { rowCount: data.sections.reduce((n, s) => n + s.rows.length, 0), fileName: `Panel ${stamp}.xlsx`, storageKey: file.key };
}

registerRunner('dashboard', run);

/** The dashboard (charts drawn as vectors) to PDF, or its tables to Excel, as a background job. */
export async function exportDashboard(ctx: Context, input: DashboardInput, format: ExportFormat): Promise<ExportJob> {
  // Checks the input now, so a wrong range is the caller's error, not a failed job.
  const src = await dashboardService.source(ctx, input);
  if (input.categoryParentId) await dashboardService.categoryCounts(ctx, src, input.categoryParentId);
  return queueJob(ctx, 'dashboard', format, { input: JSON.parse(JSON.stringify(input)) });
}
