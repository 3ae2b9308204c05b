import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Request, Response } from 'express';
import { canOn } from '../../../api/ability';
import { authorize, type Context } from '../../../api/context';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../api/errors';
import { parseId } from '../../../api/ids';
import type { ApplicationFilter, ApplicationSort } from '../../applications/dto/application.input';
import { FollowUp, TimeEntry, type Application } from '../../applications/entities/application.entities';
import { applicationService } from '../../applications/services/application.service';
import { accountAndContactNames } from '../../accounts/services/account.services';
import { linkedRecords } from '../../links/dto/linked.type';
import { Content } from '../../contents/entities/content.entity';
import { Document } from '../../documents/entities/document.entity';
import { Opportunity } from '../../opportunities/entities/opportunity.entity';
import { ServiceRequest } from '../../service-requests/entities/service-request.entities';
import { Task } from '../../tasks/entities/task.entity';
import { ExportFormat, ExportJob, JobStatus } from '../entities/export-job.entity';
import { formatDateTime, PdfReport } from '../pdf';
import { XlsxStream, type XlsxSheet } from '../xlsx';
import { applicationColumns, categoryPath, describeFilter, referenceNames, reviveFilter, streamApplications } from './application-rows';
import { checkSignature, exportsDir } from './link-token';
import { queueJob, registerRunner, type JobProgress } from './job.service';

const yieldNow = () => new Promise<void>((r) => setImmediate(r));
const today = () => new Date().toISOString().slice(0, 10);

async function writeXlsx(ctx: Context, job: ExportJob, progress: JobProgress) {
  const params = job.params as { filter?: ApplicationFilter; sort?: ApplicationSort[] };
  const file = progress.file('xlsx');
  const out = fs.createWriteStream(file.path);
  const book = new XlsxStream(out);
  let sheet: XlsxSheet | null = null;
  let rows = 0;
  await streamApplications(ctx, { filter: reviveFilter(params.filter), sort: params.sort }, {
    // Small batches: rows that survive a few awaits get promoted and inflate the old heap.
    batchSize: 500,
    onStart: async (s) => {
      sheet = book.sheet({ name: 'Başvurular', columns: s.columns });
      await progress.setTotal(s.total);
    },
    onBatch: async (cells) => {
      for (let k = 0; k < cells.length; k++) {
        sheet!.add(cells[k]);
        if (k % 500 === 499) {
          await sheet!.drain();
          await yieldNow();
        }
      }
      rows += cells.length;
      await sheet!.drain();
      if (out.writableNeedDrain) await once(out, 'drain');
      return progress.report(rows);
    },
  });
  sheet!.commit();
  await book.finish();
  if (!out.writableFinished) await once(out, 'finish');
  return { rowCount: rows, fileName: `Başvurular ${today()}.xlsx`, storageKey: file.key };
}

async function writePdfList(ctx: Context, job: ExportJob, progress: JobProgress) {
  const params = job.params as { filter?: ApplicationFilter; sort?: ApplicationSort[]; title?: string };
  const file = progress.file('pdf');
  const out = fs.createWriteStream(file.path);
  let report: PdfReport | null = null;
  let table: ReturnType<PdfReport['table']> | null = null;
  let pdfCols: number[] = [];
  let rows = 0;
  const filter = reviveFilter(params.filter);
  await streamApplications(ctx, { filter, sort: params.sort }, {
    batchSize: 500,
    onStart: async (s) => {
      const cols = s.columns.map((c, i) => ({ c, i })).filter((x) => x.c.pdf);
      pdfCols = cols.map((x) => x.i);
      report = new PdfReport(out, { title: params.title?.trim() || 'Başvurular', filters: describeFilter(filter, s.names), columnsHint: cols.length });
      table = report.table(cols.map((x) => ({ header: x.c.header, weight: x.c.weight, align: x.c.type === 'integer' ? 'right' : 'left' })));
      await progress.setTotal(s.total);
    },
    onBatch: async (cells, s) => {
      const types = s.columns.map((c) => c.type);
      for (let k = 0; k < cells.length; k++) {
        const row = cells[k];
        table!.add(pdfCols.map((i) => {
          const v = row[i];
          if (v == null) return null;
          if (v instanceof Date) return formatDateTime(v, types[i] !== 'date');
          return String(v);
        }));
        // Never hold the event loop for long: PDF drawing is the slow part.
        if (k % 100 === 99) await yieldNow();
      }
      rows += cells.length;
      if (out.writableNeedDrain) await once(out, 'drain');
      return progress.report(rows);
    },
  });
  await report!.finish(out);
  return { rowCount: rows, fileName: `Başvurular ${today()}.pdf`, storageKey: file.key };
}

/** One application's full record: fields, follow-ups, time entries and linked records. */
async function writeRecordPdf(ctx: Context, job: ExportJob, progress: JobProgress) {
  const { applicationId } = job.params as { applicationId: number };
  const app: Application = await applicationService.get(ctx, applicationId);
  await progress.setTotal(1);
  const em = ctx.em;
  const names = await referenceNames(ctx);
  const can = (field: string) => canOn(ctx.ability, 'read', 'Application', app, field);
  const people = await accountAndContactNames(ctx, [app.applicant.id], app.reporter ? [app.reporter.id] : []);
  const applicant = { name: people.accounts.get(app.applicant.id) };
  const reporter = app.reporter ? { name: people.contacts.get(app.reporter.id) } : undefined;
  const n = (m: Map<number, string>, r: { id: number } | null | undefined) => (r ? (m.get(r.id) ?? '') : '');
  const pairs: [string, string, string | null][] = [
    ['Numara', app.number, null],
    ['Konu', app.subject, 'subject'],
    ['Başvuru yapan', applicant?.name ?? '', 'applicant'],
    ['Bildiren', reporter?.name ?? '', 'reporter'],
    ['Aşama', n(names.stage, app.stage), 'stage'],
    ['Öncelik', n(names.priority, app.priority), 'priority'],
    ['Kategori', categoryPath(names.category, app.category?.id, can('subcategory') ? app.subcategory?.id : null, can('treeCategory') ? app.treeCategory?.id : null) ?? '', 'category'],
    ['Kanal', n(names.channel, app.channel), 'channel'],
    ['Şube', n(names.branch, app.branch), 'branch'],
    ['Atanan', app.assigneeEveryone ? 'Herkes' : [n(names.team, app.assigneeTeam), n(names.user, app.assigneeUser)].filter(Boolean).join(' / '), 'assignee'],
    ['Sorumlu', n(names.user, app.responsible), 'responsible'],
    ['Proje', n(names.project, app.project), 'project'],
    ['Kampanya', n(names.campaign, app.campaign), 'campaign'],
    ['Referans no', app.referenceNo ?? '', 'referenceNo'],
    ['Başvuru tarihi', formatDateTime(app.applicationDate), 'applicationDate'],
    ['Kabul tarihi', formatDateTime(app.acceptanceDate), 'acceptanceDate'],
    ['Kapanış tarihi', formatDateTime(app.closedAt), null],
    ['Harcanan süre', `${app.timeSpentMinutes} dk`, null],
  ];
  const file = progress.file('pdf');
  const out = fs.createWriteStream(file.path);
  const report = new PdfReport(out, { title: `Başvuru ${app.number}`, layout: 'portrait' });
  report.fields(pairs.filter(([, , f]) => !f || can(f)).map(([l, v]) => [l, v]));
  if (can('extra')) {
    const defs = (await applicationColumns(ctx)).filter((c) => c.field === 'extra');
    const extras = defs.map((d) => [d.header, String(d.value({ extra: app.extra }, names) ?? '')] as [string, string]).filter(([, v]) => v);
    if (extras.length) {
      report.heading('Ek bilgiler');
      report.fields(extras);
    }
  }
  if (can('detail') && app.detail) {
    report.heading('Detay');
    report.paragraph(app.detail);
  }
  const followUps = await em.find(FollowUp, { application: app.id }, { orderBy: { notedAt: 'asc', id: 'asc' } });
  report.heading(`Takipler (${followUps.length})`);
  for (const f of followUps) {
    report.fields([[`${formatDateTime(f.notedAt)} ${f.author ? n(names.user, f.author) : ''}`, f.text]]);
  }
  const times = await em.find(TimeEntry, { application: app.id }, { orderBy: { date: 'asc', id: 'asc' } });
  report.heading(`Zaman harcamaları (${times.length})`);
  if (times.length) {
    const t = report.table([{ header: 'Tarih' }, { header: 'Kullanıcı', weight: 2 }, { header: 'Dakika', align: 'right' }, { header: 'Not', weight: 4 }], { fontSize: 8 });
    for (const e of times) t.add([e.date.split('-').reverse().join('.'), n(names.user, e.user), String(e.minutes), e.note ?? '']);
  }
  const linked: [string, { id: number; item: { id: number } | null }[], (x: any) => string][] = [
    ['Servis talepleri', await linkedRecords(ctx, 'Application', app.id, ServiceRequest, 'ServiceRequest'), (x) => `${x.number} ${x.subject}`],
    ['Fırsatlar', await linkedRecords(ctx, 'Application', app.id, Opportunity, 'Opportunity'), (x) => x.title],
    ['Görevler', await linkedRecords(ctx, 'Application', app.id, Task, 'Task'), (x) => x.title],
    ['Belgeler', await linkedRecords(ctx, 'Application', app.id, Document, 'Document'), (x) => x.name],
    ['İçerikler', await linkedRecords(ctx, 'Application', app.id, Content, 'Content'), (x) => x.title],
  ];
  // Only what the viewer may read: hidden linked records are left out entirely.
  const visible = linked.map(([label, items, text]) => [label, items.filter((i) => i.item).map((i) => text(i.item))] as [string, string[]]).filter(([, items]) => items.length);
  report.heading('Bağlantılı kayıtlar');
  if (!visible.length) report.paragraph('–');
  for (const [label, items] of visible) report.fields([[label, items.join('\n')]]);
  await report.finish(out);
  await progress.report(1);
  return { rowCount: 1, fileName: `Başvuru ${app.number}.pdf`, storageKey: file.key };
}

registerRunner('applications', async (ctx, job, progress) => (job.format === ExportFormat.PDF ? writePdfList(ctx, job, progress) : writeXlsx(ctx, job, progress)));
registerRunner('application', writeRecordPdf);

export const exportService = {
  /** The application list (current filter and sort, or `ids`) to Excel or PDF, as a background job. */
  async applications(ctx: Context, input: { format: ExportFormat; filter?: ApplicationFilter | null; sort?: ApplicationSort[] | null; ids?: string[] | null; title?: string | null }): Promise<ExportJob> {
    authorize(ctx, 'read', 'Application');
    const filter: ApplicationFilter = { ...(input.filter ?? {}) };
    if (input.ids?.length) filter.ids = input.ids;
    // Checks the filter now (a wrong id is reported to the caller, not as a failed job).
    await applicationService.listQuery(ctx, filter, input.sort ?? undefined);
    return queueJob(ctx, 'applications', input.format, { filter, sort: input.sort ?? undefined, title: input.title ?? undefined });
  },

  /** One application's record to PDF, as a background job. */
  async application(ctx: Context, id: string): Promise<ExportJob> {
    const app = await applicationService.get(ctx, id);
    return queueJob(ctx, 'application', ExportFormat.PDF, { applicationId: app.id });
  },
};

const MIME: Record<string, string> = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' };

/** `attachment` with an ASCII fallback and the exact (Turkish) name in RFC 5987 `filename*`. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/ı/g, 'i').replace(/İ/g, 'I').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const star = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${star}`;
}

/**
 * GET /exports/:id/file: the file of a finished job, for its owner (bearer token) or
 * anyone holding its signed link until that expires.
 */
export async function downloadHandler(contextOf: () => Promise<Context>, req: Request, res: Response): Promise<void> {
  const ctx = await contextOf();
  const id = parseId(String(req.params.id), 'id');
  const q = req.query as Record<string, string | undefined>;
  const job = await ctx.em.findOne(ExportJob, { id });
  if (q.sig !== undefined || q.expires !== undefined) {
    const check = checkSignature(ctx.config, id, q.expires, q.sig);
    if (check === 'bad') throw new ForbiddenError('This download link is not valid.');
    if (check === 'expired') throw new ForbiddenError('This download link has expired.', { reason: 'EXPIRED' });
  } else {
    if (!ctx.user) throw ctx.authError ?? new UnauthenticatedError();
    if (!job || job.owner.id !== ctx.user.id) throw new NotFoundError('ExportJob', id, 'id');
  }
  if (!job || job.status === JobStatus.EXPIRED || (job.expiresAt && job.expiresAt.getTime() <= Date.now())) {
    throw new ForbiddenError('This export has expired.', { reason: 'EXPIRED' });
  }
  if (job.status !== JobStatus.DONE || !job.storageKey) throw new ConflictError(`The export is ${job.status.toLowerCase()}, not ready.`);
  const file = path.join(exportsDir(ctx.config), path.basename(job.storageKey));
  if (!fs.existsSync(file)) throw new ForbiddenError('This export has expired.', { reason: 'EXPIRED' });
  const ext = path.extname(job.storageKey).slice(1);
  res.setHeader('Content-Type', MIME[ext] ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(fs.statSync(file).size));
  res.setHeader('Content-Disposition', contentDisposition(job.fileName ?? `export.${ext}`));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file).on('error', reject).pipe(res).on('finish', resolve).on('error', reject);
  });
}
