import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { startTestApp, type GqlResult, type TestApp } from '../../../test/harness';

/**
 * Every export writes times as staff see them on screen (Europe/Istanbul, dd.MM.yyyy HH:mm)
 * and the whole category path (Kategori > Alt kategori > Ağaç kategori), never UTC or the
 * top category alone: the list to Excel and PDF, one record to PDF, the dashboard to both.
 */

const JOB = 'id status error downloadUrl';
const Q = {
  createCategory: 'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }',
  createAccount: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }',
  createApplication: 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id number } }',
  exportApps: `mutation($i: ApplicationExportInput!) { exportApplications(input: $i) { ${JOB} } }`,
  exportApp: `mutation($id: ID!) { exportApplication(id: $id) { ${JOB} } }`,
  exportDashboard: `mutation($f: ExportFormat!, $i: DashboardInput!) { exportDashboard(format: $f, input: $i) { ${JOB} } }`,
  job: `query($id: ID!) { exportJob(id: $id) { ${JOB} } }`,
};

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

let t: TestApp;
let dataDir: string;
let app: { id: string; number: string };
const PATH = 'Fatura › Yanlış tutar › Çift çekim';

async function finished(job: { id: string }): Promise<{ downloadUrl: string }> {
  for (let i = 0; i < 300; i++) {
    const j = ok(await t.gql(Q.job, { id: job.id }, { as: 'admin' })).exportJob;
    if (j.status === 'DONE') return j;
    if (['FAILED', 'CANCELLED'].includes(j.status)) throw new Error(`export ${j.status}: ${j.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the export did not finish');
}

async function download(url: string): Promise<Buffer> {
  const res = await request(t.url).get(url).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status).toBe(200);
  return res.body as Buffer;
}

function pdfText(buf: Buffer): string {
  const file = path.join(dataDir, `t-${Date.now()}-${Math.random()}.pdf`);
  fs.writeFileSync(file, buf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function workbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  return wb;
}

/** The wall-clock time Excel shows for a date cell (exceljs reads the serial as UTC). */
const shown = (d: Date) => `${String(d.getUTCDate()).padStart(2, '0')}.${String(d.getUTCMonth() + 1).padStart(2, '0')}.${d.getUTCFullYear()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-times-'));
  t = await startTestApp({ DATA_DIR: dataDir, JOBS_ENABLED: 'true' });
  const admin = { as: 'admin' as const };
  const top = ok(await t.gql(Q.createCategory, { i: { name: 'Fatura' } }, admin)).createCategory.id;
  const sub = ok(await t.gql(Q.createCategory, { i: { name: 'Yanlış tutar', parentId: top } }, admin)).createCategory.id;
  const tree = ok(await t.gql(Q.createCategory, { i: { name: 'Çift çekim', parentId: sub } }, admin)).createCategory.id;
  const account = ok(await t.gql(Q.createAccount, { i: { kind: 'COMPANY', name: 'Gece Yarısı A.Ş.' } }, admin)).createAccount.id;
  app = ok(
    await t.gql(
      Q.createApplication,
      {
        i: {
          applicantId: account,
          categoryId: top,
          subcategoryId: sub,
          treeCategoryId: tree,
          subject: 'Gece yarısı çift çekim',
          applicationDate: '2026-03-10T21:30:00Z',
          acceptanceDate: '2026-03-10T22:05:00Z',
        },
      },
      admin,
    ),
  ).createApplication;
});

afterAll(async () => {
  await t?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the list to Excel: Istanbul wall-clock date cells as dd.mm.yyyy hh:mm, and the category path', async () => {
  const job = await finished(ok(await t.gql(Q.exportApps, { i: { format: 'XLSX', filter: { ids: [app.id] } } }, { as: 'admin' })).exportApplications);
  const sheet = (await workbook(await download(job.downloadUrl))).worksheets[0];
  const header = (sheet.getRow(1).values as string[]).slice(1);
  const cell = (name: string) => sheet.getRow(2).getCell(header.indexOf(name) + 1);
  const date = cell('Başvuru tarihi');
  expect(date.value).toBeInstanceOf(Date);
  expect(shown(date.value as Date)).toBe('11.03.2026 00:30');
  expect(date.numFmt).toBe('dd.mm.yyyy hh:mm');
  expect(shown(cell('Kabul tarihi').value as Date)).toBe('11.03.2026 01:05');
  expect(cell('Kategori').value).toBe(PATH);
});

test('the list to PDF: the whole local time and the category path', async () => {
  const job = await finished(ok(await t.gql(Q.exportApps, { i: { format: 'PDF', filter: { ids: [app.id] } } }, { as: 'admin' })).exportApplications);
  const text = pdfText(await download(job.downloadUrl)).replace(/\s+/g, ' ');
  expect(text).toContain('11.03.2026 00:30');
  expect(text).not.toContain('10.03.2026 21:30');
  expect(text).toContain(PATH);
});

test('one record to PDF: local times and the category path', async () => {
  const job = await finished(ok(await t.gql(Q.exportApp, { id: app.id }, { as: 'admin' })).exportApplication);
  const text = pdfText(await download(job.downloadUrl)).replace(/\s+/g, ' ');
  expect(text).toContain('11.03.2026 00:30');
  expect(text).toContain('11.03.2026 01:05');
  expect(text).toContain(PATH);
});

test('the dashboard to PDF and Excel: the printed date is local, the day is the local day', async () => {
  const input = { from: '2026-03-11', to: '2026-03-11' };
  const pdf = await finished(ok(await t.gql(Q.exportDashboard, { f: 'PDF', i: input }, { as: 'admin' })).exportDashboard);
  const text = pdfText(await download(pdf.downloadUrl)).replace(/\s+/g, ' ');
  expect(text).toContain('Tarih aralığı: 11.03.2026 – 11.03.2026');
  // Generated at: dd.MM.yyyy HH:mm in Istanbul time.
  const now = new Intl.DateTimeFormat('tr-TR', { timeZone: 'Europe/Istanbul', day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date());
  expect(text).toMatch(new RegExp(`${now.replace(/\./g, '\\.')} \\d{2}:\\d{2}`));
  const xlsx = await finished(ok(await t.gql(Q.exportDashboard, { f: 'XLSX', i: input }, { as: 'admin' })).exportDashboard);
  const wb = await workbook(await download(xlsx.downloadUrl));
  const summary = wb.getWorksheet('Özet')!;
  const header = (summary.getRow(1).values as string[]).slice(1);
  expect(shown(summary.getRow(2).getCell(1).value as Date).slice(0, 10)).toBe('11.03.2026');
  expect(summary.getRow(2).getCell(header.indexOf('Toplam başvuru') + 1).value).toBe(1);
  const timeline = wb.getWorksheet('Zaman çizelgesi')!;
  expect(shown(timeline.getRow(2).getCell(1).value as Date).slice(0, 10)).toBe('11.03.2026');
  expect(timeline.getRow(2).getCell(2).value).toBe(1);
});
