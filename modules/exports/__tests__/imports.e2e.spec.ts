import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';

/**
 * Importing accounts and contacts from Excel: template, upload, a per-row report before
 * anything is written, then the valid rows in one transaction; matching rows update, so the
 * same file twice changes nothing; Turkish text round-trips.
 */

const REPORT = 'importReport { target applied totalRows validRows invalidRows created updated unchanged moreProblems problems { row column field message } }';
const Q = {
  job: `query($id: ID!) { exportJob(id: $id) { id kind status error ${REPORT} } }`,
  apply: `mutation($id: ID!) { applyImport(id: $id) { id status } }`,
  createExtraField: 'mutation($i: CreateExtraFieldInput!) { createExtraField(input: $i) { id key } }',
  accounts: '{ accounts(page: { limit: 100 }) { total items { id name taxNumber identityNumber phones emails city extra } } }',
  contacts: '{ contacts(page: { limit: 100 }) { total items { id firstName lastName email phone account { id } } } }',
};

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

let t: TestApp;
let dataDir: string;

async function workbook(header: string[], rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Cariler');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function finished(id: string, as: RoleName = 'admin'): Promise<any> {
  for (let i = 0; i < 300; i++) {
    const job = ok(await t.gql(Q.job, { id }, { as })).exportJob;
    if (['DONE', 'FAILED', 'CANCELLED'].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the import did not finish');
}

async function upload(target: string, file: Buffer, name = 'Cariler İstanbul.xlsx', as: RoleName = 'admin') {
  return request(t.url).post('/imports').set('authorization', `Bearer ${t.world.users[as].token}`).field('target', target).attach('file', file, name);
}

async function validateAndApply(target: string, file: Buffer) {
  const res = await upload(target, file);
  expect(res.status).toBe(202);
  const checked = await finished(res.body.data.job.id);
  expect(checked.status).toBe('DONE');
  const applied = ok(await t.gql(Q.apply, { id: checked.id }, { as: 'admin' })).applyImport;
  return { checked: checked.importReport, applied: (await finished(applied.id)).importReport };
}

const ACCOUNT_HEADER = ['Tür (Kurumsal/Bireysel)', 'Ad / Unvan', 'Vergi no', 'Vergi dairesi', 'T.C. kimlik no', 'Telefonlar', 'E-postalar', 'Adres', 'İl', 'İlçe', 'Sektör', 'Çalışan sayısı'];
const GOOD = [
  ['Kurumsal', 'İstanbul Şişli Ltd.', '1234567890', 'Şişli', '', '0212 555 11 22', 'bilgi@sisli.com.tr', 'Halaskargazi Cad. 1', 'İstanbul', 'ŞİŞLİ', 'Gıda', 12],
  ['Bireysel', 'Işıl Çağlayan', '', '', '10000000146', '+90 532 111 22 33', 'isil@example.com', '', 'İzmir', 'Karşıyaka', '', ''],
  ['Kurumsal', 'Ömer Üzüm Tarım A.Ş.', 5555555555, 'Manisa', '', '0236 222 33 44; 0236 222 33 45', '', '', 'Manisa', '', 'Tarım', 3],
];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-'));
  t = await startTestApp({ DATA_DIR: dataDir, JOBS_ENABLED: 'true' });
  ok(await t.gql(Q.createExtraField, { i: { target: 'ACCOUNT', key: 'sektor', label: 'Sektör', type: 'TEXT' } }, { as: 'admin' }));
  ok(await t.gql(Q.createExtraField, { i: { target: 'ACCOUNT', key: 'calisan', label: 'Çalışan sayısı', type: 'NUMBER' } }, { as: 'admin' }));
});

afterAll(async () => {
  await t?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('the template has the standard columns and the extra fields', async () => {
  const res = await request(t.url)
    .get('/imports/templates/accounts')
    .set('authorization', `Bearer ${t.world.users.admin.token}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers['content-disposition']).toContain("filename*=UTF-8''Cari%20aktar%C4%B1m%20%C5%9Fablonu.xlsx");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body);
  expect((wb.worksheets[0].getRow(1).values as string[]).slice(1)).toEqual(ACCOUNT_HEADER);
  expect((await request(t.url).get('/imports/templates/accounts')).status).toBe(401);
  expect((await request(t.url).get('/imports/templates/x').set('authorization', `Bearer ${t.world.users.admin.token}`)).status).toBe(400);
});

test('validation writes nothing; the import writes the rows, Turkish intact; the same file again changes nothing', async () => {
  const file = await workbook(ACCOUNT_HEADER, GOOD);
  const res = await upload('accounts', file);
  const checked = await finished(res.body.data.job.id);
  expect(checked.importReport).toMatchObject({ target: 'accounts', applied: false, totalRows: 3, validRows: 3, invalidRows: 0, created: 3, updated: 0, unchanged: 0, problems: [] });
  expect(ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts.total).toBe(0);

  const applied = await finished(ok(await t.gql(Q.apply, { id: checked.id }, { as: 'admin' })).applyImport.id);
  expect(applied.importReport).toMatchObject({ applied: true, created: 3, updated: 0, unchanged: 0 });
  const list = ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts;
  expect(list.total).toBe(3);
  const sisli = list.items.find((a: any) => a.taxNumber === '1234567890');
  expect(sisli).toMatchObject({ name: 'İstanbul Şişli Ltd.', city: 'İstanbul', emails: ['bilgi@sisli.com.tr'], extra: { sektor: 'Gıda', calisan: 12 } });
  expect(list.items.find((a: any) => a.identityNumber === '10000000146')).toMatchObject({ name: 'Işıl Çağlayan' });
  expect(list.items.find((a: any) => a.taxNumber === '5555555555').phones).toEqual(['0236 222 33 44', '0236 222 33 45']);

  const again = await validateAndApply('accounts', file);
  expect(again.checked).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  expect(again.applied).toMatchObject({ applied: true, created: 0, updated: 0, unchanged: 3 });
  const after = ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts;
  expect(after.total).toBe(3);
  expect(after.items).toEqual(list.items);

  // Matching by e-mail or phone updates instead of duplicating (no tax number in the row).
  const byPhone = await validateAndApply('accounts', await workbook(ACCOUNT_HEADER, [['Bireysel', 'Işıl Çağlayan', '', '', '', '0532 111 22 33', '', '', 'İzmir', 'Bornova', '', '']]));
  expect(byPhone.applied).toMatchObject({ created: 0, updated: 1 });
  const isil = ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts.items.find((a: any) => a.identityNumber === '10000000146');
  expect(ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts.total).toBe(3);
  expect(isil).toBeTruthy();
});

test('a malformed file gets a report per row and cell, and nothing is written before the import', async () => {
  const before = ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts.total;
  const file = await workbook(ACCOUNT_HEADER, [
    ['Kurumsal', '', '12345', '', '', '', 'not-an-email', '', '', '', '', 'çok'],
    ['Uzaylı', 'Geçerli Olmayan Tür', '', '', '12345678901', '', '', '', '', '', '', ''],
    ['Kurumsal', 'Yeni Şirket A.Ş.', '9876543210', '', '', '', '', '', 'Bursa', '', '', 7],
    ['Kurumsal', 'Aynı Şirket', '9876543210', '', '', '', '', '', '', '', '', ''],
  ]);
  const checked = await finished((await upload('accounts', file)).body.data.job.id);
  const r = checked.importReport;
  expect(r).toMatchObject({ totalRows: 4, validRows: 1, invalidRows: 3, created: 1 });
  const at = (row: number) => r.problems.filter((p: any) => p.row === row).map((p: any) => p.column).sort();
  expect(at(2)).toEqual(['Ad / Unvan', 'E-postalar', 'Vergi no', 'Çalışan sayısı'].sort());
  expect(at(3)).toEqual(['T.C. kimlik no', 'Tür (Kurumsal/Bireysel)'].sort());
  expect(r.problems.find((p: any) => p.row === 5)).toMatchObject({ column: 'Vergi no', message: 'The same record is on row 4.' });
  expect(r.problems.find((p: any) => p.row === 2 && p.field === 'taxNumber').message).toContain('10 digits');
  expect(ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts.total).toBe(before);

  // Importing writes the valid row only.
  const applied = await finished(ok(await t.gql(Q.apply, { id: checked.id }, { as: 'admin' })).applyImport.id);
  expect(applied.importReport).toMatchObject({ applied: true, created: 1 });
  expect(ok(await t.gql(Q.accounts, {}, { as: 'admin' })).accounts.total).toBe(before + 1);

  // A header without a required column, and a file that is no workbook at all.
  const noName = await finished((await upload('accounts', await workbook(['Vergi no'], [['1111111111']]))).body.data.job.id);
  expect(noName.importReport.problems[0]).toMatchObject({ row: 1, column: 'Ad / Unvan' });
  const notXlsx = await upload('accounts', Buffer.from('name,tax\nA,1\n'), 'cariler.csv');
  expect(notXlsx.status).toBe(415);
});

test('contacts: attached to their account by tax number, matched by e-mail on re-import', async () => {
  const header = ['Cari vergi no', 'Ad', 'Soyad', 'Unvan', 'Telefon', 'E-posta'];
  const file = await workbook(header, [
    ['1234567890', 'Şule', 'Öztürk', 'Satın alma müdürü', '0212 555 11 23', 'sule@sisli.com.tr'],
    ['1234567890', 'İlker', 'Işık', '', '0212 555 11 24', ''],
    ['0000000000', 'Kayıp', 'Cari', '', '', ''],
  ]);
  const first = await validateAndApply('contacts', file);
  expect(first.checked).toMatchObject({ validRows: 2, invalidRows: 1, created: 2 });
  expect(first.checked.problems[0]).toMatchObject({ row: 4, column: 'Cari vergi no' });
  const second = await validateAndApply('contacts', file);
  expect(second.applied).toMatchObject({ created: 0, unchanged: 2 });
  const contacts = ok(await t.gql(Q.contacts, {}, { as: 'admin' })).contacts;
  expect(contacts.total).toBe(2);
  expect(contacts.items.map((c: any) => `${c.firstName} ${c.lastName}`).sort()).toEqual(['Şule Öztürk', 'İlker Işık'].sort());
});

test("another user's import can be neither read nor applied", async () => {
  const res = await upload('accounts', await workbook(ACCOUNT_HEADER, GOOD));
  const id = res.body.data.job.id;
  await finished(id);
  expect((await t.gql(Q.job, { id }, { as: 'leaderB' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect((await t.gql(Q.apply, { id }, { as: 'leaderB' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
});
