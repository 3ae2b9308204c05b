import { PASSWORD, startTestApp, type TestApp } from '../../test/harness';
import { ensureBuilt, openBrowser, signIn, type Session } from './browser';
import { startDovecot, startSmtpSink } from '../../modules/mail/__tests__/servers';

/**
 * The back office in Debian's Chromium against the real API and a real database: sign-in per
 * role, the call-center day on one application, live counts, list export and team isolation.
 */
let t: TestApp;
let category: string;
const opened: Session[] = [];

async function browser(locale?: string, size?: { width: number; height: number }): Promise<Session> {
  const s = await openBrowser(t.url, { locale, ...size });
  opened.push(s);
  return s;
}

beforeAll(async () => {
  ensureBuilt();
  t = await startTestApp({ SERVE_BACKOFFICE: 'true', JOBS_ENABLED: 'true' });
  const cat = await t.gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { i: { name: 'Şikâyet' } }, { as: 'admin' });
  category = cat.data.createCategory.id;
  await t.gql('mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }', { i: { name: 'Fatura', parentId: category } }, { as: 'admin' });
  await t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', { i: { name: 'Çağlar Işık', kind: 'INDIVIDUAL', phones: ['0532 123 45 67'] } }, { as: 'admin' });
  const extra = await t.gql('mutation($i: CreateExtraFieldInput!) { createExtraField(input: $i) { id } }', { i: { target: 'APPLICATION', key: 'siparis_no', label: 'Sipariş no', type: 'TEXT' } }, { as: 'admin' });
  expect(extra.errors).toBeUndefined();
}, 180_000);

afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  await t?.stop();
});

afterEach(() => {
  for (const s of opened) expect(s.errors).toEqual([]);
});

async function createApplicationAs(role: 'agentA1' | 'agentB1', subject: string) {
  const account = await t.gql('{ accounts(filter: { search: "Çağlar" }) { items { id } } }', {}, { as: 'admin' });
  const r = await t.gql(
    'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id number } }',
    { i: { applicantId: account.data.accounts.items[0].id, categoryId: category, subject, assignee: { userId: String(t.world.users[role].id) } } },
    { as: role },
  );
  expect(r.errors).toBeUndefined();
  return r.data.createApplication as { id: string; number: string };
}

test('each role signs in and sees the menus its permissions allow', async () => {
  const admin = await browser();
  await signIn(admin.page, t.world.users.admin.email, PASSWORD);
  await admin.page.getByRole('button', { name: 'Yönetim' }).click();
  await admin.page.getByRole('menuitem', { name: 'Kullanıcılar' }).waitFor();
  await admin.page.getByRole('menuitem', { name: 'Başvurular' }).click();
  await admin.page.getByRole('button', { name: 'Filtre ekle' }).waitFor();
  await admin.page.goto('/#/priorities');
  await admin.page.getByRole('link', { name: 'Yeni' }).waitFor();
  await admin.shot('admin-priorities');

  const agent = await browser();
  await signIn(agent.page, t.world.users.agentA1.email, PASSWORD);
  await agent.page.getByRole('menuitem', { name: 'Başvurular' }).waitFor();
  expect(await agent.page.getByRole('button', { name: 'Yönetim' }).count()).toBe(0);
  expect(await agent.page.getByRole('menuitem', { name: 'Kullanıcılar' }).count()).toBe(0);
  await agent.page.goto('/#/priorities');
  await agent.page.getByRole('columnheader', { name: 'Ad' }).waitFor();
  expect(await agent.page.getByRole('link', { name: 'Yeni' }).count()).toBe(0);

  const leader = await browser('en-US');
  await signIn(leader.page, t.world.users.leaderA.email, PASSWORD);
  await leader.page.getByRole('menuitem', { name: 'Applications' }).waitFor();
  await leader.shot('leader-home-en');
});

test('an agent takes a call: new account inline, follow-up, time, stage, conversion, document', async () => {
  const s = await browser();
  const { page } = s;
  await signIn(page, t.world.users.agentA1.email, PASSWORD);
  await page.getByRole('menuitem', { name: 'Yeni çağrı' }).click();

  // Search-as-you-type: by phone (any spacing), and by name whatever the case of İ/ı.
  const applicant = page.locator('input[name=applicantId]');
  await applicant.fill('0532 123 4567');
  await page.getByRole('option', { name: /Çağlar Işık/ }).waitFor();
  await applicant.fill('çağlar ışık');
  await page.getByRole('option', { name: /Çağlar Işık/ }).waitFor();
  // Nobody found: the caller becomes a new account without leaving the page.
  await applicant.fill('Gülşen Ünal');
  await page.getByRole('option', { name: 'Yeni cari hesap: "Gülşen Ünal"' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Telefon').fill('0555 111 22 33');
  await dialog.getByRole('button', { name: 'Kaydet' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('input[name=categoryId]').fill('Şik');
  await page.getByRole('option', { name: 'Şikâyet' }).click();
  await page.locator('input[name=subcategoryId]').click();
  await page.getByRole('option', { name: 'Fatura' }).click();
  await page.locator('input[name=subject]').fill('Faturada iki kez ücret alınmış');
  await page.locator('textarea[name=detail]').fill('Müşteri Ekim faturasını sordu.');
  await page.getByLabel('Sipariş no').fill('SP-2026-77');
  await s.shot('application-create');
  await page.getByRole('button', { name: 'Kaydet' }).click();
  await page.getByRole('heading', { name: /Faturada iki kez ücret alınmış/ }).waitFor().catch(async (err: Error) => {
    await s.shot('failure-create');
    throw new Error(`${err.message}\n${s.apiErrors.join('\n')}`);
  });

  await page.getByRole('button', { name: 'Takip ekle' }).click();
  await page.locator('textarea[name=followUpText]').fill('Müşteri geri arandı, iade süreci anlatıldı.');
  await page.getByRole('dialog').getByRole('button', { name: 'Kaydet' }).click();
  await page.getByText('Takip eklendi').waitFor();
  await page.getByRole('tab', { name: 'Takipler (1)' }).waitFor();

  await page.getByRole('button', { name: 'Süre ekle' }).click();
  await page.locator('input[name=minutes]').fill('25');
  await page.getByRole('dialog').getByRole('button', { name: 'Kaydet' }).click();
  await page.getByRole('tab', { name: 'Süreler (1)' }).waitFor();

  await page.getByRole('button', { name: 'Aşama değiştir' }).click();
  const stages = page.getByRole('menu').getByRole('menuitem');
  await stages.first().waitFor();
  const target = (await stages.first().innerText()).trim();
  await stages.first().click();
  await page.getByRole('dialog').getByRole('button', { name: 'Kaydet' }).click();
  await page.getByTestId('stage-chip').filter({ hasText: target }).waitFor();

  await page.getByRole('button', { name: 'Dönüştür' }).click();
  await page.getByRole('menuitem', { name: 'Servis talebi oluştur' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Kaydet' }).click();
  await page.getByRole('tab', { name: 'İlişkili kayıtlar (1)' }).waitFor();

  await page.locator('input[name=document]').setInputFiles({ name: 'dekont.txt', mimeType: 'text/plain', buffer: Buffer.from('Ödeme dekontu: 249,90 TL\n') });
  await page.getByRole('tab', { name: 'Belgeler (1)' }).waitFor();
  await page.getByRole('tab', { name: 'Takipler (1)' }).click();
  await page.getByText('SP-2026-77').waitFor();
  await s.shot('application-show');

  // What the browser did is what the database holds.
  const api = await t.gql(
    '{ applications(filter: { search: "iki kez ücret" }) { items { id extra followUpCount timeSpentMinutes stage { name } serviceRequests { item { id } } documents { item { name } } applicant { name phones } } } }',
    {},
    { as: 'agentA1' },
  );
  const app = api.data.applications.items[0];
  expect(app).toMatchObject({ extra: { siparis_no: 'SP-2026-77' }, followUpCount: 1, timeSpentMinutes: 25, stage: { name: target }, applicant: { name: 'Gülşen Ünal', phones: ['0555 111 22 33'] } });
  expect(app.serviceRequests).toHaveLength(1);
  expect(app.documents.map((d: any) => d.item.name)).toEqual(['dekont.txt']);
});

test("the leader's home page and dashboard count a new application live, without a reload", async () => {
  const s = await browser();
  await signIn(s.page, t.world.users.leaderA.email, PASSWORD);
  const tile = s.page.getByRole('link', { name: /Açık başvurular/ });
  await tile.getByText(/^\d+$/).waitFor();
  const total = s.page.getByTestId('dashboard-total');
  await total.filter({ hasText: /^\d+$/ }).waitFor();
  const before = Number(await tile.getByText(/^\d+$/).innerText());
  const dashboardBefore = Number(await total.innerText());
  await createApplicationAs('agentA1', 'Canlı sayaç denemesi');
  await tile.getByText(String(before + 1), { exact: true }).waitFor();
  await total.filter({ hasText: new RegExp(`^${dashboardBefore + 1}$`) }).waitFor();
  await s.page.getByTestId('chart-by-stage').locator('.recharts-bar-rectangle').first().waitFor();
  // Each chart exports its figures.
  const [csv] = await Promise.all([s.page.waitForEvent('download'), s.page.getByRole('button', { name: 'Verileri indir (CSV): Aşamalara göre' }).click()]);
  expect(require('node:fs').readFileSync(await csv.path(), 'utf8')).toMatch(/name;count/);
  // The whole dashboard as a PDF, made in the background.
  await s.page.getByRole('button', { name: 'PDF', exact: true }).click();
  await s.page.getByTestId('job-card').getByTestId('job-download').waitFor({ timeout: 60_000 });
  await s.shot('dashboard');
});

test('a list is exported to Excel in the background, with progress and a download link', async () => {
  await createApplicationAs('agentA1', 'Dışa aktarma satırı');
  const s = await browser();
  await signIn(s.page, t.world.users.leaderA.email, PASSWORD);
  await s.page.goto('/#/applications');
  await s.page.getByRole('cell', { name: 'Dışa aktarma satırı' }).waitFor();
  await s.shot('applications-list');
  await s.page.getByRole('button', { name: 'Dışa aktar' }).first().click();
  await s.page.getByRole('menuitem', { name: 'Excel (.xlsx)' }).click();
  const card = s.page.getByTestId('job-card');
  await card.getByRole('progressbar').waitFor();
  const link = card.getByTestId('job-download');
  await link.waitFor({ timeout: 60_000 });
  await s.shot('export-done');
  const [download] = await Promise.all([s.page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
  const ExcelJS = require('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(await download.path());
  const cells: string[] = [];
  book.worksheets[0].eachRow((row: any) => row.eachCell((c: any) => cells.push(String(c.value))));
  expect(cells).toContain('Dışa aktarma satırı');
});

test("an agent of team B does not see team A's applications, in lists or by address", async () => {
  const mine = await createApplicationAs('agentB1', 'B takımının başvurusu');
  const theirs = await createApplicationAs('agentA1', 'A takımının gizli başvurusu');
  const s = await browser();
  await signIn(s.page, t.world.users.agentB1.email, PASSWORD);
  await s.page.goto('/#/applications');
  await s.page.getByRole('cell', { name: 'B takımının başvurusu' }).waitFor();
  expect(await s.page.getByRole('cell', { name: 'A takımının gizli başvurusu' }).count()).toBe(0);
  await s.page.goto(`/#/applications/${theirs.id}/show`);
  await s.page.getByRole('alert').first().waitFor();
  expect(await s.page.getByText('A takımının gizli başvurusu').count()).toBe(0);
  void mine;
});

test('a conflicting save shows the other person\'s change and saves again only when asked', async () => {
  const app = await createApplicationAs('agentA1', 'Çakışma denemesi');
  const s = await browser();
  await signIn(s.page, t.world.users.agentA1.email, PASSWORD);
  await s.page.goto(`/#/applications/${app.id}/show`);
  await s.page.getByRole('heading', { name: /Çakışma denemesi/ }).waitFor();
  await s.page.goto(`/#/applications/${app.id}`);
  const subject = s.page.locator('input[name=subject]');
  await subject.waitFor();

  // Someone else saves first, while the form is open.
  const current = await t.gql('query($id: ID!) { application(id: $id) { version } }', { id: app.id }, { as: 'leaderA' });
  const other = await t.gql('mutation($id: ID!, $v: Int!) { updateApplication(id: $id, version: $v, input: { subject: "Başkasının konusu" }) { version } }', { id: app.id, v: current.data.application.version }, { as: 'leaderA' });
  expect(other.errors).toBeUndefined();

  await subject.fill('Benim konum');
  await s.page.getByRole('button', { name: 'Kaydet' }).click();
  const dialog = s.page.getByRole('dialog', { name: 'Kayıt siz düzenlerken değişti' });
  await dialog.getByRole('cell', { name: 'Başkasının konusu' }).waitFor();
  await dialog.getByRole('cell', { name: 'Benim konum' }).waitFor();
  await s.page.waitForTimeout(400); // let the dialog finish fading in before the picture
  await s.shot('conflict');
  const unchanged = await t.gql('query($id: ID!) { application(id: $id) { subject } }', { id: app.id }, { as: 'admin' });
  expect(unchanged.data.application.subject).toBe('Başkasının konusu');

  await dialog.getByRole('button', { name: 'Benim değişikliklerimle kaydet' }).click();
  await s.page.getByRole('heading', { name: /Benim konum/ }).waitFor();
  const saved = await t.gql('query($id: ID!) { application(id: $id) { subject } }', { id: app.id }, { as: 'admin' });
  expect(saved.data.application.subject).toBe('Benim konum');
});

test('the detail page follows changes made by others', async () => {
  const app = await createApplicationAs('agentA1', 'Canlı detay');
  const s = await browser();
  await signIn(s.page, t.world.users.leaderA.email, PASSWORD);
  await s.page.goto(`/#/applications/${app.id}/show`);
  await s.page.getByRole('tab', { name: 'Takipler (0)' }).waitFor();
  await t.gql('mutation($id: ID!) { addFollowUp(applicationId: $id, input: { text: "Başka bir temsilciden not" }) { id } }', { id: app.id }, { as: 'agentA1' });
  await s.page.getByRole('tab', { name: 'Takipler (1)' }).waitFor();
  await s.page.getByText('Başka bir temsilciden not').waitFor();
});

test('on a tablet the pages fit the screen and the keyboard reaches the actions', async () => {
  const app = await createApplicationAs('agentA1', 'Tablet görünümü için oldukça uzun bir başvuru konusu');
  const s = await browser('en-US', { width: 820, height: 1180 });
  await signIn(s.page, t.world.users.leaderA.email, PASSWORD);
  for (const path of ['/', '/applications', `/applications/${app.id}/show`]) {
    await s.page.goto(`/#${path}`);
    await s.page.locator('#react-admin-title').waitFor({ state: 'attached' });
    await s.page.getByRole('heading').or(s.page.getByRole('table')).first().waitFor();
    const overflow = await s.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect({ path, overflow }).toEqual({ path, overflow: 0 });
  }
  await s.shot('application-show-tablet-en');
  // English upper-cases "i" as "I" (the page's language follows the user's).
  expect(await s.page.evaluate<string>('document.documentElement.lang')).toBe('en');
  // Tab reaches "Add follow-up" and Enter opens its dialog.
  const add = s.page.getByRole('button', { name: 'Add follow-up' });
  for (let i = 0; i < 40 && !(await add.evaluate((el) => el === (globalThis as any).document.activeElement)); i++) await s.page.keyboard.press('Tab');
  await s.page.keyboard.press('Enter');
  await s.page.getByRole('dialog', { name: 'Add follow-up' }).waitFor();
});

test('accounts are imported from Excel: template, check report, then write', async () => {
  // The template the page offers, filled in by "the user": one good row, one without a name.
  const template = await fetch(`${t.url}/imports/templates/accounts`, { headers: { authorization: `Bearer ${t.world.users.admin.token}` } });
  expect(template.status).toBe(200);
  const ExcelJS = require('exceljs');
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(await template.arrayBuffer()));
  const sheet = book.worksheets[0];
  const headers: string[] = [];
  sheet.getRow(1).eachCell((c: any, i: number) => (headers[i] = String(c.value)));
  const row = (values: Record<string, string>) => headers.map((h) => values[h] ?? '');
  sheet.addRow(row({ 'Tür (Kurumsal/Bireysel)': 'Kurumsal', 'Ad / Unvan': 'İçe Aktarım Şirketi A.Ş.', 'Vergi no': '9876543210', Telefonlar: '0212 555 00 11' }).slice(1));
  sheet.addRow(row({ 'Tür (Kurumsal/Bireysel)': 'Bireysel', 'Vergi no': '' }).slice(1));
  const file = Buffer.from(await book.xlsx.writeBuffer());

  const s = await browser();
  await signIn(s.page, t.world.users.admin.email, PASSWORD);
  await s.page.goto('/#/accounts');
  await s.page.getByRole('button', { name: "Excel'den içe aktar" }).click();
  await s.page.getByLabel('Dosya').setInputFiles({ name: 'cariler.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: file });
  await s.page.getByRole('button', { name: 'Yükle ve denetle' }).click();
  const card = s.page.getByTestId('job-card');
  await card.getByText(/2 satır: 1 geçerli, 1 hatalı/).waitFor({ timeout: 60_000 });
  await s.shot('import-report');
  const apply = card.getByRole('button', { name: 'Geçerli 1 satırı kaydet' });
  await apply.click();
  await apply.waitFor({ state: 'detached' });
  await s.page.getByTestId('job-card').getByText(/^Hazır/).waitFor({ timeout: 60_000 });
  // The card of the check can read "Hazır" before the write job has finished: wait for the write.
  let found: any;
  for (let i = 0; i < 120; i++) {
    found = await t.gql('{ accounts(filter: { search: "İçe Aktarım" }) { items { name taxNumber phones } } }', {}, { as: 'admin' });
    if (found.data?.accounts.items.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(found.data.accounts.items).toEqual([{ name: 'İçe Aktarım Şirketi A.Ş.', taxNumber: '9876543210', phones: ['0212 555 00 11'] }]);
  // The list on screen shows the new account without a reload.
  await s.page.getByRole('cell', { name: 'İçe Aktarım Şirketi A.Ş.' }).waitFor();
});

test('an administrator adds a support mailbox and tests its connection to a real IMAP server', async () => {
  const [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpSink()]);
  try {
    const s = await browser();
    await signIn(s.page, t.world.users.admin.email, PASSWORD);
    await s.page.goto('/#/mailboxes/create');
    const fill = (name: string, value: string) => s.page.locator(`input[name="${name}"]`).fill(value);
    await fill('name', 'Destek kutusu');
    await fill('fromAddress', 'destek@test.local');
    await fill('fromName', 'Müşteri Hizmetleri');
    await fill('imapHost', '127.0.0.1');
    await fill('imapPort', String(dovecot.port));
    await s.page.getByLabel('IMAP TLS').uncheck();
    await fill('imapUser', dovecot.user);
    await fill('imapPassword', dovecot.password);
    await fill('smtpHost', '127.0.0.1');
    await fill('smtpPort', String(smtp.port));
    await s.page.getByLabel('SMTP TLS').uncheck();
    await s.page.locator('input[name="defaultCategoryId"]').fill('Şik');
    await s.page.getByRole('option', { name: 'Şikâyet' }).click();
    await s.shot('mailbox-create');
    await s.page.getByRole('button', { name: 'Kaydet' }).click();
    const row = s.page.getByRole('row').filter({ hasText: 'Destek kutusu' });
    await row.getByRole('button', { name: 'Bağlantıyı dene' }).click();
    await s.page.getByText('Bağlantı başarılı').waitFor();
    const stored = await t.gql('{ mailboxes { name imapTls smtpTls imapPort hasImapPassword } }', {}, { as: 'admin' });
    expect(stored.data.mailboxes).toEqual([{ name: 'Destek kutusu', imapTls: false, smtpTls: false, imapPort: dovecot.port, hasImapPassword: true }]);
  } finally {
    // The mail worker stops fetching an archived mailbox before its servers go away.
    const boxes = await t.gql('{ mailboxes { id } }', {}, { as: 'admin' });
    for (const b of boxes.data?.mailboxes ?? []) await t.gql('mutation($id: ID!) { archiveMailbox(id: $id) { id } }', { id: b.id }, { as: 'admin' });
    await Promise.all([dovecot.stop(), smtp.stop()]);
  }
});

test('an administrator creates records: active from the start, server errors under their fields until fixed, chips for phones', async () => {
  const s = await browser();
  const { page } = s;
  await signIn(page, t.world.users.admin.email, PASSWORD);
  try {
    await createRecords(s);
  } catch (err) {
    await s.shot('failure-forms');
    throw new Error(`${(err as Error).message}\n${s.apiErrors.join('\n')}`);
  }
}, 180_000);

async function createRecords(s: Session) {
  const { page } = s;

  // A new user: the e-mail is taken; the error sits under "E-posta" in Turkish and goes when it is changed.
  await page.goto('/#/users/create');
  await page.locator('input[name=name]').fill('Yeni Temsilci');
  await page.locator('input[name=email]').fill(t.world.users.agentA1.email);
  await page.locator('input[name=password]').fill('yeni-temsilci-parola');
  expect(await page.getByLabel('Etkin').isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Kaydet' }).click();
  const taken = page.getByText('Bu değer başka bir kayıtta kullanılıyor', { exact: true });
  await taken.waitFor();
  await page.locator('input[name=email]').fill('yeni.temsilci@test.local');
  await taken.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Kaydet' }).click();
  await page.getByRole('cell', { name: 'yeni.temsilci@test.local' }).waitFor();
  // Saved active: the new user can sign in.
  expect((await t.signIn('yeni.temsilci@test.local', 'yeni-temsilci-parola')).errors).toBeUndefined();

  // A new account: phones typed with spaces become chips on Enter or a comma; every refused field is marked at once.
  await page.goto('/#/accounts/create');
  await page.locator('input[name=name]').fill('Çip Deneme Ltd. Şti.');
  await page.getByRole('combobox', { name: /Tür/ }).click();
  await page.getByRole('option', { name: 'Kurumsal' }).click();
  const phones = page.locator('input[name=phones]');
  await phones.pressSequentially('0532 111 22 33');
  await phones.press('Enter');
  await phones.pressSequentially('0212 555 00 11,');
  await phones.pressSequentially('yok');
  await phones.press('Enter');
  await page.locator('input[name=emails]').pressSequentially('bilgi@cip.com.tr, yanlış');
  await page.locator('input[name=taxNumber]').fill('12');
  expect(await page.getByLabel('Etkin').isChecked()).toBe(true);
  await s.shot('account-create-chips');
  await page.getByRole('button', { name: 'Kaydet' }).click();
  await page.getByText('Geçerli bir telefon numarası girin (rakam, boşluk, + ( ) -)', { exact: true }).waitFor();
  await page.getByText('Geçerli bir e-posta adresi girin', { exact: true }).waitFor();
  await page.getByText('Vergi kimlik numarası 10 haneli olmalı', { exact: true }).waitFor();
  await s.shot('account-create-errors');
  await page.getByRole('button', { name: 'yok' }).locator('svg').click();
  await page.getByRole('button', { name: 'yanlış' }).locator('svg').click();
  await page.locator('input[name=taxNumber]').fill('1234567890');
  await page.getByRole('button', { name: 'Kaydet' }).click();
  await page.getByRole('cell', { name: 'Çip Deneme Ltd. Şti.' }).waitFor();
  const saved = await t.gql('{ accounts(filter: { search: "Çip Deneme" }) { items { phones emails active } } }', {}, { as: 'admin' });
  expect(saved.data.accounts.items).toEqual([{ phones: ['0532 111 22 33', '0212 555 00 11'], emails: ['bilgi@cip.com.tr'], active: true }]);

  // A new category is active, so the call screen offers it.
  await page.goto('/#/categories/create');
  await page.locator('input[name=name]').fill('Öneri');
  await page.getByRole('button', { name: 'Kaydet' }).click();
  let category: any;
  for (let i = 0; i < 40 && !category; i++) {
    const r = await t.gql('{ categories(filter: { search: "Öneri" }) { items { name active } } }', {}, { as: 'admin' });
    category = r.data?.categories.items[0];
    if (!category) await page.waitForTimeout(250);
  }
  expect(category).toEqual({ name: 'Öneri', active: true });

  // A contact's title is "Unvan".
  await page.goto('/#/contacts/create');
  await page.getByLabel('Unvan').waitFor();
}

test('the history tab and the roles speak Turkish', async () => {
  const app = await createApplicationAs('agentA1', 'Geçmiş sekmesi');
  await t.gql('mutation($id: ID!) { addFollowUp(applicationId: $id, input: { text: "Geri arandı" }) { id } }', { id: app.id }, { as: 'agentA1' });
  await t.gql('mutation($id: ID!) { addTimeEntry(applicationId: $id, input: { minutes: 75 }) { id } }', { id: app.id }, { as: 'agentA1' });
  const opp = await t.gql('mutation($id: ID!) { convertApplicationToOpportunity(applicationId: $id, input: { title: "Yıllık bakım" }) { id } }', { id: app.id }, { as: 'admin' });
  expect(opp.errors).toBeUndefined();
  const s = await browser();
  const { page } = s;
  await signIn(page, t.world.users.admin.email, PASSWORD);
  await page.goto(`/#/applications/${app.id}/show`);
  await page.getByRole('tab', { name: 'Geçmiş' }).click();
  for (const label of ['Kayıt oluşturuldu', 'Takip', 'Süre kaydı', 'Fırsat']) await page.getByRole('cell', { name: label, exact: true }).first().waitFor();
  await page.getByRole('cell', { name: /^1 sa 15 dk/ }).waitFor();
  const table = await page.getByRole('tabpanel').innerText();
  for (const internal of ['opportunity', 'followUp', 'timeEntry', 'created', ' min ']) expect(table).not.toContain(internal);
  await s.shot('application-history');

  await page.goto('/#/roles');
  for (const name of ['Yönetici', 'Takım lideri', 'Temsilci']) await page.getByRole('cell', { name, exact: true }).waitFor();
  expect(await page.getByRole('cell', { name: 'Administrator', exact: true }).count()).toBe(0);
  await page.goto(`/#/users/${t.world.users.leaderA.id}/show`);
  await page.getByText('Takım lideri', { exact: true }).waitFor();
  // A role's grants name subjects and actions in Turkish.
  const roles = await t.gql('{ roles { id key } }', {}, { as: 'admin' });
  await page.goto(`/#/roles/${roles.data.roles.find((r: any) => r.key === 'team_leader').id}`);
  await page.locator('input[name=name]').waitFor();
  await page.getByText('Başvuru', { exact: true }).first().waitFor();
  expect(await page.getByText('Application', { exact: true }).count()).toBe(0);
  // Enumerated choices too (extra fields: record type and data type).
  await page.goto('/#/extraFields');
  await page.getByRole('row').filter({ hasText: 'Sipariş no' }).getByRole('cell', { name: 'Metin', exact: true }).waitFor();
}, 180_000);
