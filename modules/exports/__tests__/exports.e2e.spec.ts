import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';
import { cleanupJobs } from '../services/job.service';

/**
 * Exports through the API, as users do them: the list (filter, sort, selected rows) to Excel
 * and PDF, one record to PDF, as background jobs on pg-boss with progress over a
 * subscription, cancel, signed links that expire; Turkish text intact, formulas neutralised,
 * and nothing the user may not read.
 */

const JOB = 'id kind format status progress rowCount totalRows fileName size error expiresAt downloadUrl';
const Q = {
  createCategory: 'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }',
  createAccount: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }',
  createExtraField: 'mutation($i: CreateExtraFieldInput!) { createExtraField(input: $i) { id key } }',
  createApplication: 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id number } }',
  addFollowUp: 'mutation($a: ID!, $i: FollowUpInput!) { addFollowUp(applicationId: $a, input: $i) { id } }',
  addTime: 'mutation($a: ID!, $i: TimeEntryInput!) { addTimeEntry(applicationId: $a, input: $i) { id } }',
  exportApps: `mutation($i: ApplicationExportInput!) { exportApplications(input: $i) { ${JOB} } }`,
  exportApp: `mutation($id: ID!) { exportApplication(id: $id) { ${JOB} } }`,
  cancel: `mutation($id: ID!) { cancelExportJob(id: $id) { ${JOB} } }`,
  job: `query($id: ID!) { exportJob(id: $id) { ${JOB} } }`,
  jobs: `{ exportJobs { id } }`,
};

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

let t: TestApp;
let dataDir: string;
const apps: Record<string, { id: string; number: string }> = {};

async function finished(id: string, as: RoleName): Promise<any> {
  for (let i = 0; i < 300; i++) {
    const job = ok(await t.gql(Q.job, { id }, { as })).exportJob;
    if (['DONE', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
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

async function exportAs(as: RoleName, input: Record<string, unknown>) {
  const job = ok(await t.gql(Q.exportApps, { i: input }, { as })).exportApplications;
  expect(job.status).toBe('QUEUED');
  return finished(job.id, as);
}

async function sheetOf(buf: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as never);
  return wb.worksheets[0];
}

function pdfText(buf: Buffer): string {
  const file = path.join(dataDir, `t-${Date.now()}.pdf`);
  fs.writeFileSync(file, buf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

const RISKY = ["=cmd|' /C calc'!A0", '+90 555 111', '-2+3', '@SUM(A1)', '\tsekme', '\rsatır başı'];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exports-'));
  t = await startTestApp({ DATA_DIR: dataDir, JOBS_ENABLED: 'true' });
  const admin = { as: 'admin' as RoleName };
  const category = ok(await t.gql(Q.createCategory, { i: { name: 'Şikâyet' } }, admin)).createCategory.id;
  const account = ok(await t.gql(Q.createAccount, { i: { kind: 'COMPANY', name: 'İstanbul Şişli Ltd.' } }, admin)).createAccount.id;
  ok(await t.gql(Q.createExtraField, { i: { target: 'APPLICATION', key: 'tutar', label: 'Tutar', type: 'NUMBER' } }, admin));
  const create = async (key: string, subject: string, as: RoleName, team: 'A' | 'B', extra: Record<string, unknown> = {}, detail = 'Müşteri ığüşöç yazdı.') => {
    apps[key] = ok(
      await t.gql(Q.createApplication, { i: { applicantId: account, categoryId: category, assignee: { teamId: String(t.world.teams[team]) }, subject, detail, extra } }, { as }),
    ).createApplication;
  };
  await create('turkish', 'Şikâyet: ığüşöç İstanbul ŞİŞLİ', 'agentA1', 'A', { tutar: 12.5 });
  // Subjects are trimmed when saved; details are kept as typed.
  for (const [i, s] of RISKY.entries()) await create(`risky${i}`, s, 'agentA1', 'A', {}, s);
  await create('teamB', 'Takım B gizli başvuru', 'agentB1', 'B');
  ok(await t.gql(Q.addFollowUp, { a: apps.turkish.id, i: { text: 'Arandı, Çağrı Öztürk bilgilendirildi.' } }, { as: 'agentA1' }));
  ok(await t.gql(Q.addTime, { a: apps.turkish.id, i: { minutes: 45, note: 'Yerinde inceleme' } }, { as: 'agentA1' }));
});

afterAll(async () => {
  await t?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Excel export of the application list', () => {
  let job: any;
  let sheet: ExcelJS.Worksheet;
  let header: string[];

  beforeAll(async () => {
    job = await exportAs('agentA1', { format: 'XLSX', sort: [{ field: 'number', direction: 'ASC' }] });
    sheet = await sheetOf(await download(job.downloadUrl));
    header = (sheet.getRow(1).values as string[]).slice(1);
  });

  test('the job finishes with a signed link, a Turkish file name and the row count', () => {
    expect(job).toMatchObject({ status: 'DONE', progress: 100, rowCount: 7, totalRows: 7, kind: 'applications', format: 'XLSX', error: null });
    expect(job.fileName).toMatch(/^Başvurular \d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(job.downloadUrl).toMatch(new RegExp(`^/exports/${job.id}/file\\?expires=\\d+&sig=`));
  });

  test('typed cells: dates are dates, numbers numbers; extra fields are columns', () => {
    const row = (sheet.getRow(2).values as unknown[]).slice(1);
    const col = (name: string) => header.indexOf(name);
    expect(row[col('Numara')]).toBe(apps.turkish.number);
    expect(row[col('Başvuru tarihi')]).toBeInstanceOf(Date);
    expect(typeof row[col('Harcanan süre (dk)')]).toBe('number');
    expect(row[col('Harcanan süre (dk)')]).toBe(45);
    expect(row[col('Tutar')]).toBe(12.5);
    expect(row[col('Konu')]).toBe('Şikâyet: ığüşöç İstanbul ŞİŞLİ');
    expect(row[col('Başvuru yapan')]).toBe('İstanbul Şişli Ltd.');
  });

  test('header row frozen, auto-filter over the header, column widths set', () => {
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    expect(sheet.getColumn(3).width).toBeGreaterThanOrEqual(30);
  });

  test('cells starting with = + - @ tab or CR are neutralised: no formula, text with a leading quote', () => {
    const details = new Map<string, unknown>();
    sheet.eachRow((r, i) => {
      if (i > 1) details.set(String(r.getCell(1).value), r.getCell(header.indexOf('Detay') + 1));
    });
    for (const [i, s] of RISKY.entries()) {
      const cell = details.get(apps[`risky${i}`].number) as ExcelJS.Cell;
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(cell.formula).toBeUndefined();
      // (XML reads a stored CR back as LF.)
      expect(cell.value).toBe(`'${s}`.replace(/\r/g, '\n'));
    }
  });

  test("agentB1's export holds only team B's row; agentB1 can neither see nor download agentA1's export", async () => {
    const b = await exportAs('agentB1', { format: 'XLSX' });
    const bs = await sheetOf(await download(b.downloadUrl));
    expect(bs.rowCount).toBe(2);
    expect(bs.getRow(2).getCell(3).value).toBe('Takım B gizli başvuru');
    // Selecting team A's ids does not reveal them either.
    const sel = await exportAs('agentB1', { format: 'XLSX', ids: [apps.turkish.id, apps.teamB.id] });
    expect(sel.rowCount).toBe(1);

    expect((await t.gql(Q.job, { id: job.id }, { as: 'agentB1' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const res = await request(t.url).get(`/exports/${job.id}/file`).set('authorization', `Bearer ${t.world.users.agentB1.token}`);
    expect(res.status).toBe(404);
    // Not even administrators download someone else's file with their session.
    expect((await request(t.url).get(`/exports/${job.id}/file`).set('authorization', `Bearer ${t.world.users.admin.token}`)).status).toBe(404);
    // The owner may, with the session instead of the link.
    const own = await request(t.url).get(`/exports/${job.id}/file`).set('authorization', `Bearer ${t.world.users.agentA1.token}`);
    expect(own.status).toBe(200);
    expect(own.headers['content-disposition']).toContain("filename*=UTF-8''Ba%C5%9Fvurular%20");
    expect(own.headers['content-disposition']).toContain('filename="Basvurular ');
  });

  test('selected rows and the list filter are honoured', async () => {
    const sel = await exportAs('agentA1', { format: 'XLSX', ids: [apps.risky0.id, apps.risky1.id] });
    expect(sel.rowCount).toBe(2);
    const search = await exportAs('agentA1', { format: 'XLSX', filter: { search: 'şikayet' } });
    expect(search.rowCount).toBe(1);
    const bad = await t.gql(Q.exportApps, { i: { format: 'XLSX', filter: { stageIds: ['x'] } } }, { as: 'agentA1' });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.stageIds.0' });
  });
});

describe('field rules', () => {
  test('a column whose field a rule hides is left out of the export', async () => {
    // A role that reads every application but only some of its fields.
    const role = ok(
      await t.gql('mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }', {
        i: {
          name: 'Kısıtlı okuyucu',
          grants: [
            { subject: 'Application', action: 'read', scope: 'all', fields: ['subject', 'applicationDate', 'stage'] },
            { subject: 'ExportJob', action: 'read', scope: 'own' },
          ],
        },
      }, { as: 'admin' }),
    ).createRole.id;
    ok(await t.gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', { i: { name: 'Okur Öztürk', email: 'okur@test.local', password: 'test-password-1', roleIds: [role] } }, { as: 'admin' }));
    const token = (await t.signIn('okur@test.local')).data.signIn.token as string;
    const queued = (await t.gql(Q.exportApps, { i: { format: 'XLSX', sort: [{ field: 'number', direction: 'ASC' }] } }, { token })).data.exportApplications;
    let job: any;
    for (let i = 0; i < 100; i++) {
      job = (await t.gql(Q.job, { id: queued.id }, { token })).data.exportJob;
      if (job.status === 'DONE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sheet = await sheetOf(await download(job.downloadUrl));
    const header = (sheet.getRow(1).values as string[]).slice(1);
    expect(header).toEqual(['Numara', 'Başvuru tarihi', 'Konu', 'Aşama', 'Kapanış tarihi', 'Takip sayısı', 'Harcanan süre (dk)']);
    // Every application, team B's too: this role reads them all.
    expect(job.rowCount).toBe(8);
  });
});

describe('PDF exports', () => {
  test('the list: title, filters, date, page numbers and Turkish text intact', async () => {
    const job = await exportAs('agentA1', { format: 'PDF', filter: { search: 'Şikâyet' }, title: 'Şikâyet raporu' });
    expect(job).toMatchObject({ status: 'DONE', rowCount: 1 });
    const text = pdfText(await download(job.downloadUrl));
    expect(text).toContain('Şikâyet raporu');
    expect(text).toContain('Arama: Şikâyet');
    expect(text).toContain('Şikâyet: ığüşöç İstanbul');
    expect(text).toContain('İstanbul Şişli Ltd.');
    expect(text).toContain('Sayfa 1');
    expect(text).toMatch(/\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}/);
    expect(text).not.toContain('Takım B');
  });

  test("one application's record: fields, follow-ups, time entries and links", async () => {
    const queued = ok(await t.gql(Q.exportApp, { id: apps.turkish.id }, { as: 'agentA1' })).exportApplication;
    const job = await finished(queued.id, 'agentA1');
    expect(job.status).toBe('DONE');
    expect(job.fileName).toBe(`Başvuru ${apps.turkish.number}.pdf`);
    const text = pdfText(await download(job.downloadUrl));
    for (const s of ['Şikâyet: ığüşöç İstanbul ŞİŞLİ', 'Müşteri ığüşöç yazdı.', 'Arandı, Çağrı Öztürk bilgilendirildi.', 'Yerinde inceleme', 'Takipler (1)', 'Zaman harcamaları (1)', 'Bağlantılı kayıtlar', 'Tutar']) {
      expect(text).toContain(s);
    }
    // Another team's record cannot be exported at all.
    expect((await t.gql(Q.exportApp, { id: apps.turkish.id }, { as: 'agentB1' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('jobs', () => {
  test('progress arrives through the subscription, for the owner only', async () => {
    const mine: any[] = [];
    const theirs: any[] = [];
    const sub = (as: RoleName, into: any[]) =>
      new Promise<() => void>((resolve) => {
        const c = t.ws(t.world.users[as].token);
        const stop = c.subscribe({ query: 'subscription { exportJobChanged { id status progress rowCount } }' }, { next: (m) => into.push(m.data?.exportJobChanged), error: () => undefined, complete: () => undefined });
        c.on('connected', () => setTimeout(() => resolve(stop), 200));
      });
    const stopA = await sub('agentA1', mine);
    const stopB = await sub('agentB1', theirs);
    const job = await exportAs('agentA1', { format: 'XLSX' });
    for (let i = 0; i < 50 && !mine.some((e) => e.status === 'DONE'); i++) await new Promise((r) => setTimeout(r, 100));
    stopA();
    stopB();
    expect(mine.filter((e) => e.id === job.id).map((e) => e.status)).toContain('DONE');
    expect(mine.find((e) => e.status === 'DONE')).toMatchObject({ progress: 100, rowCount: 7 });
    expect(theirs).toEqual([]);
  });

  test('cancel: the job stops and leaves no file; a finished job cannot be cancelled', async () => {
    const queued = ok(await t.gql(Q.exportApps, { i: { format: 'PDF' } }, { as: 'agentA1' })).exportApplications;
    const c = ok(await t.gql(Q.cancel, { id: queued.id }, { as: 'agentA1' })).cancelExportJob;
    expect(c.status).toBe('CANCELLED');
    await new Promise((r) => setTimeout(r, 500));
    const after = ok(await t.gql(Q.job, { id: queued.id }, { as: 'agentA1' })).exportJob;
    expect(after).toMatchObject({ status: 'CANCELLED', downloadUrl: null, fileName: null });
    const again = await t.gql(Q.cancel, { id: queued.id }, { as: 'agentA1' });
    expect(again.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.gql(Q.cancel, { id: queued.id }, { as: 'agentB1' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  test('links: a forged one is refused, an expired one too, and cleanup deletes the file', async () => {
    const job = await exportAs('agentA1', { format: 'XLSX' });
    const forged = job.downloadUrl.replace(/sig=.*/, 'sig=AAAA');
    expect((await request(t.url).get(forged)).status).toBe(403);
    const later = job.downloadUrl.replace(/expires=\d+/, `expires=${Math.floor(Date.now() / 1000) + 10 * 86400}`);
    expect((await request(t.url).get(later)).status).toBe(403);
    expect((await request(t.url).get(`/exports/${job.id}/file`)).status).toBe(401);

    await t.sql(`update export_jobs set expires_at = now() - interval '1 minute' where id = $1`, [job.id]);
    const expired = await request(t.url).get(job.downloadUrl);
    expect(expired.status).toBe(403);
    expect(expired.body.errors[0].extensions.reason).toBe('EXPIRED');
    const [row] = await t.sql('select storage_key from export_jobs where id = $1', [job.id]);
    const file = path.join(dataDir, 'exports', row.storage_key);
    expect(fs.existsSync(file)).toBe(true);
    expect(await cleanupJobs(t.system())).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(file)).toBe(false);
    expect(ok(await t.gql(Q.job, { id: job.id }, { as: 'agentA1' })).exportJob).toMatchObject({ status: 'EXPIRED', downloadUrl: null });
  });
});
