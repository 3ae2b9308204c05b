import path from 'node:path';
import { spawn } from 'node:child_process';
import iconv from 'iconv-lite';
import { EventBus } from '../../../api/events';
import { initOrm } from '../../../api/orm';
import { startTestApp, type TestApp } from '../../../test/harness';
import { purgeExpiredRaw } from '../services/ingest.service';
import { MailWorkers } from '../services/worker';
import { mail, startDovecot, startSmtpSink, type Dovecot, type SmtpSink } from './servers';

/**
 * The e-mail channel against a real Dovecot (private instance) and an SMTP sink: mail
 * becomes applications, replies thread both ways, answers go out, exactly once through
 * duplicates, two workers, kill -9 and a UIDVALIDITY change; loops and junk get no
 * acknowledgement; bad and over-size mail never stop the worker.
 */

jest.setTimeout(180_000);

const Q = {
  createMailbox: `mutation($i: CreateMailboxInput!) { createMailbox(input: $i) { id version name hasImapPassword hasSmtpPassword imapUser folder } }`,
  updateMailbox: `mutation($id: ID!, $v: Int!, $i: UpdateMailboxInput!) { updateMailbox(id: $id, version: $v, input: $i) { id version reopenClosed sendAcknowledgement } }`,
  mailboxes: `{ mailboxes { id name lastSyncAt lastError backlog processed quarantined uidValidity lastUid hasImapPassword } }`,
  test: `mutation($id: ID!) { testMailboxConnection(id: $id) { ok stage message steps } }`,
  application: `query($id: ID!) { application(id: $id) { id number subject detail version closedAt channel { code name } applicant { id name emails } reporter { id firstName lastName email } assigneeTeam { id } stage { id name closed } } }`,
  followUps: `query($id: ID!) { application(id: $id) { id followUpCount } }`,
  reply: `mutation($id: ID!, $body: String!) { replyToApplication(applicationId: $id, body: $body) { id messageId inReplyTo references toAddress subject status } }`,
  quarantine: `query($mb: ID) { quarantinedMail(mailboxId: $mb) { id subject error raw status } }`,
  retry: `mutation($id: ID!) { retryQuarantinedMail(id: $id) { id status error } }`,
  discard: `mutation($id: ID!) { discardQuarantinedMail(id: $id) { id status } }`,
  stages: `{ processStages(page: { limit: 100 }) { items { id name closed isInitial } } }`,
  changeStage: `mutation($id: ID!, $v: Int!, $s: ID!) { changeApplicationStage(id: $id, version: $v, stageId: $s) { id version closedAt } }`,
};

let t: TestApp;
let dovecot: Dovecot;
let smtp: SmtpSink;
let workers: MailWorkers;
let categoryId: string;
let destek: { id: string; version: number };

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const appsOf = (mailboxId: string) =>
  t.sql<{ application_id: number; subject: string; kind: string }>(`select application_id, subject, kind from mail_messages where mailbox_id = $1 and direction = 'in' and status = 'processed' order by id`, [mailboxId]);

async function createMailbox(name: string, folder: string, extra: Record<string, unknown> = {}) {
  const r = await t.gql(
    Q.createMailbox,
    {
      i: {
        name,
        imapHost: '127.0.0.1',
        imapPort: dovecot.port,
        imapTls: false,
        imapUser: dovecot.user,
        imapPassword: dovecot.password,
        folder,
        smtpHost: '127.0.0.1',
        smtpPort: smtp.port,
        smtpTls: false,
        fromName: 'Müşteri Hizmetleri',
        fromAddress: 'destek@test.local',
        defaultCategoryId: categoryId,
        defaultTeamId: String(t.world.teams.A),
        ...extra,
      },
    },
    { as: 'admin' },
  );
  expect(r.errors).toBeUndefined();
  return r.data.createMailbox as { id: string; version: number; [k: string]: unknown };
}

async function folder(name: string) {
  const c = await dovecot.client();
  await c.mailboxCreate(name).catch(() => undefined);
  await c.logout();
}

function multipart(o: { from: string; subject: string; text: string; messageId: string; inReplyTo?: string; attachments: { name: string; type: string; data: Buffer; cid?: string }[] }): Buffer {
  const b = 'sinir-b0und4ry';
  const parts = [
    `From: ${o.from}`,
    'To: destek@test.local',
    `Subject: ${o.subject}`,
    `Message-ID: <${o.messageId}>`,
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`, `References: <${o.inReplyTo}>`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    o.text,
  ];
  for (const a of o.attachments) {
    parts.push(
      `--${b}`,
      `Content-Type: ${a.type}; name="${a.name}"`,
      `Content-Disposition: ${a.cid ? 'inline' : 'attachment'}; filename="${a.name}"`,
      ...(a.cid ? [`Content-ID: <${a.cid}>`] : []),
      'Content-Transfer-Encoding: base64',
      '',
      a.data.toString('base64').replace(/(.{76})/g, '$1\r\n'),
    );
  }
  parts.push(`--${b}--`, '');
  return Buffer.from(parts.join('\r\n'), 'utf8');
}

beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpSink()]);
  t = await startTestApp({ MAIL_POLL_SECONDS: '1', MAIL_ACK_DAILY_CAP: '3', MAIL_SECRET_KEY: 'a'.repeat(64) });
  const c = await t.gql(`mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }`, { i: { name: 'E-posta Başvuruları' } }, { as: 'admin' });
  expect(c.errors).toBeUndefined();
  categoryId = c.data.createCategory.id;
  workers = new MailWorkers(t.app.services);
  destek = await createMailbox('Destek', 'INBOX');
});

afterAll(async () => {
  await workers?.stop();
  await t?.stop();
  await smtp?.stop();
  await dovecot?.stop();
});

describe('mailboxes', () => {
  it('are administered by administrators; passwords are encrypted and never returned', async () => {
    const mb = destek;
    expect(mb).toMatchObject({ hasImapPassword: true, hasSmtpPassword: false, imapUser: dovecot.user });
    const [row] = await t.sql('select imap_password_enc from mailboxes where id = $1', [mb.id]);
    expect(row.imap_password_enc).toMatch(/^v1\./);
    expect(row.imap_password_enc).not.toContain(dovecot.password);
    const schema = await t.gql(`{ __type(name: "Mailbox") { fields { name } } }`, {}, { as: 'admin' });
    expect(schema.data.__type.fields.map((f: { name: string }) => f.name).filter((n: string) => /password/i.test(n)).sort()).toEqual(['hasImapPassword', 'hasSmtpPassword']);
    for (const who of ['agentA1', 'leaderA'] as const) {
      expect((await t.gql(Q.mailboxes, {}, { as: who })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const bad = await t.gql(Q.createMailbox, { i: { name: 'x', imapHost: 'h', imapPort: 143, imapUser: 'u', smtpHost: 'h', smtpPort: 25, fromName: 'x', fromAddress: 'not-an-address', defaultCategoryId: categoryId } }, { as: 'admin' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(bad.errors?.[0].extensions)).toContain('fromAddress');
    const dup = await t.gql(Q.createMailbox, { i: { name: 'Destek', imapHost: 'h', imapPort: 143, imapUser: 'u', smtpHost: 'h', smtpPort: 25, fromName: 'x', fromAddress: 'a@b.co', defaultCategoryId: categoryId } }, { as: 'admin' });
    expect(dup.errors?.[0].extensions?.field).toBe('input.name');
  });

  it('"test connection" names the step that failed', async () => {
    const [mb] = (await t.gql(Q.mailboxes, {}, { as: 'admin' })).data.mailboxes;
    const ok = await t.gql(Q.test, { id: mb.id }, { as: 'admin' });
    expect(ok.data.testMailboxConnection).toMatchObject({ ok: true, stage: 'ok' });
    const wrong = await createMailbox('Yanlış parola', 'INBOX', { imapPassword: 'nope', active: false });
    expect((await t.gql(Q.test, { id: wrong.id }, { as: 'admin' })).data.testMailboxConnection).toMatchObject({ ok: false, stage: 'imap:login' });
    const closed = await createMailbox('Kapalı port', 'INBOX', { imapPort: 1, active: false });
    expect((await t.gql(Q.test, { id: closed.id }, { as: 'admin' })).data.testMailboxConnection).toMatchObject({ ok: false, stage: 'imap:tcp' });
    const dns = await createMailbox('Yok', 'INBOX', { imapHost: 'no-such-host.invalid', active: false });
    expect((await t.gql(Q.test, { id: dns.id }, { as: 'admin' })).data.testMailboxConnection).toMatchObject({ ok: false, stage: 'imap:dns' });
    const nofolder = await createMailbox('Klasörsüz', 'Olmayan', { active: false });
    expect((await t.gql(Q.test, { id: nofolder.id }, { as: 'admin' })).data.testMailboxConnection).toMatchObject({ ok: false, stage: 'imap:folder' });
  });
});

describe('ingestion', () => {
  let mbId: string;
  beforeAll(async () => {
    mbId = destek.id;
    await workers.start();
  });

  it('makes an application from a new mail: e-mail channel, subject, body, a new contact, the mailbox team', async () => {
    await dovecot.append([mail({ from: 'Ayşe Yılmaz <ayse@musteri.test>', subject: 'Faturam yüksek geldi', body: 'Merhaba,\r\nbu ay faturam çok yüksek.', messageId: 'ilk@musteri.test' })]);
    const row = await until('the application', async () => (await appsOf(mbId)).find((r) => r.subject === 'Faturam yüksek geldi'));
    const app = (await t.gql(Q.application, { id: String(row.application_id) }, { as: 'agentA1' })).data.application;
    expect(app).toMatchObject({ subject: 'Faturam yüksek geldi', channel: { code: 'email', name: 'E-posta' }, applicant: { name: 'Ayşe Yılmaz', emails: ['ayse@musteri.test'] }, reporter: { firstName: 'Ayşe', lastName: 'Yılmaz', email: 'ayse@musteri.test' }, assigneeTeam: { id: String(t.world.teams.A) } });
    expect(app.detail).toContain('faturam çok yüksek');
    // Team B cannot see it.
    expect((await t.gql(Q.application, { id: app.id }, { as: 'agentB1' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    // The same sender again: the same account and contact.
    await dovecot.append([mail({ from: 'ayse@musteri.test', subject: 'İkinci konu', messageId: 'ikinci@musteri.test' })]);
    const row2 = await until('second', async () => (await appsOf(mbId)).find((r) => r.subject === 'İkinci konu'));
    const app2 = (await t.gql(Q.application, { id: String(row2.application_id) }, { as: 'admin' })).data.application;
    expect(app2.applicant.id).toBe(app.applicant.id);
    expect(app2.reporter.id).toBe(app.reporter.id);
    // Status: the cursor and backlog move once the batch is committed.
    const status = await until('the status', async () => {
      const list = await t.gql(Q.mailboxes, {}, { as: 'admin' });
      expect(list.errors).toBeUndefined();
      const s = list.data.mailboxes.find((m: { id: string }) => m.id === mbId);
      return Number(s.lastUid) >= 2 && s.backlog === 0 && s;
    });
    expect(status).toMatchObject({ lastError: null, backlog: 0, quarantined: 0 });
    expect(status.lastSyncAt).toBeTruthy();
    expect(status.processed).toBeGreaterThanOrEqual(2);
  });

  it('decodes Turkish mail in UTF-8, ISO-8859-9 and windows-1254', async () => {
    const text = 'Şikâyet: ĞÜŞİÖÇ ğüşıöç — İstanbul ılık';
    const subject = 'Iğdır şubesi ŞİKÂYET';
    const enc = (cs: string) => `=?${cs}?B?${iconv.encode(subject, cs).toString('base64')}?=`;
    await dovecot.append([
      mail({ from: 'utf8@musteri.test', subject: `${enc('utf-8')}`, bodyBytes: Buffer.from(text, 'utf8'), charset: 'utf-8' }),
      mail({ from: 'latin5@musteri.test', subject: `${enc('iso-8859-9')}`, bodyBytes: iconv.encode(text.replace('—', '-').replace('â', 'a'), 'iso-8859-9'), charset: 'iso-8859-9' }),
      mail({ from: 'cp1254@musteri.test', subject: `${enc('windows-1254')}`, bodyBytes: iconv.encode(text, 'windows-1254'), charset: 'windows-1254' }),
    ]);
    for (const from of ['utf8', 'latin5', 'cp1254']) {
      const r = await until(from, async () => (await t.sql(`select application_id from mail_messages where from_address = $1 and status = 'processed'`, [`${from}@musteri.test`]))[0]);
      const app = (await t.gql(Q.application, { id: String(r.application_id) }, { as: 'admin' })).data.application;
      expect(app.subject).toBe(subject);
      expect(app.detail).toContain('ĞÜŞİÖÇ ğüşıöç');
      expect(app.detail).toContain('İstanbul ılık');
    }
  });

  it('keeps HTML-only mail as plain text: no markup, no scripts', async () => {
    const html = '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><p>Merhaba <b>Işık</b> Hanım,</p><img src=x onerror=alert(2)><p>faturam <i>yüksek</i>.</p></body></html>';
    const raw = Buffer.from(`From: html@musteri.test\r\nSubject: HTML posta\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`, 'utf8');
    await dovecot.append([raw]);
    const r = await until('html', async () => (await appsOf(mbId)).find((x) => x.subject === 'HTML posta'));
    const app = (await t.gql(Q.application, { id: String(r.application_id) }, { as: 'admin' })).data.application;
    expect(app.detail).toContain('Merhaba Işık Hanım');
    expect(app.detail).toContain('faturam yüksek');
    expect(app.detail).not.toMatch(/<|alert|color:red/);
  });

  it('stores attachments and inline images as documents linked to the application', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    await dovecot.append([
      multipart({ from: 'ekli@musteri.test', subject: 'Ekli başvuru', text: 'Fatura ekte.', messageId: 'ekli@musteri.test', attachments: [{ name: 'Fatura Şubat.pdf', type: 'application/pdf', data: pdf }, { name: 'logo.png', type: 'image/png', data: png, cid: 'logo@x' }] }),
    ]);
    const r = await until('attachments', async () => (await appsOf(mbId)).find((x) => x.subject === 'Ekli başvuru'));
    const docs = await t.sql(
      `select d.name, d.size, d.mime_type, d.sha256 from record_links l join documents d on d.id = l.to_id where l.from_type = 'Application' and l.from_id = $1 and l.to_type = 'Document' order by d.name`,
      [r.application_id],
    );
    expect(docs.map((d) => [d.name, Number(d.size), d.mime_type])).toEqual([
      ['Fatura Şubat.pdf', pdf.length, 'application/pdf'],
      ['logo.png', png.length, 'image/png'],
    ]);
  });

  it('threads both ways: an answer goes out over SMTP, the customer reply becomes a follow-up with its attachment', async () => {
    const first = (await appsOf(mbId)).find((r) => r.subject === 'Faturam yüksek geldi')!;
    const app = (await t.gql(Q.application, { id: String(first.application_id) }, { as: 'agentA1' })).data.application;
    // Team B may not answer team A's application.
    expect((await t.gql(Q.reply, { id: app.id, body: 'x' }, { as: 'agentB1' })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await t.gql(Q.reply, { id: app.id, body: '  ' }, { as: 'agentA1' })).errors?.[0].extensions?.field).toBe('body');
    const before = smtp.messages.length;
    const r = await t.gql(Q.reply, { id: app.id, body: 'Merhaba Ayşe Hanım, faturanızı inceledik.' }, { as: 'agentA1' });
    expect(r.errors).toBeUndefined();
    const out = r.data.replyToApplication;
    expect(out).toMatchObject({ toAddress: 'ayse@musteri.test', inReplyTo: 'ilk@musteri.test', status: 'SENT' });
    expect(out.subject).toBe(`Re: Faturam yüksek geldi [#${app.number}]`);
    await smtp.waitFor(before + 1);
    const sent = smtp.messages[before].parsed;
    expect(sent.messageId).toBe(`<${out.messageId}>`);
    expect(sent.inReplyTo).toBe('<ilk@musteri.test>');
    expect(sent.text).toContain('faturanızı inceledik');
    expect(sent.headers.get('auto-submitted')).toBeUndefined();
    expect((await t.gql(Q.followUps, { id: app.id }, { as: 'agentA1' })).data.application.followUpCount).toBe(1);
    // The customer's reply (In-Reply-To our answer) with an attachment.
    await dovecot.append([
      multipart({ from: 'ayse@musteri.test', subject: `Re: ${out.subject}`, text: 'Teşekkürler, dekont ekte.', messageId: 'cevap@musteri.test', inReplyTo: out.messageId, attachments: [{ name: 'dekont.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') }] }),
    ]);
    await until('follow-up', async () => (await t.gql(Q.followUps, { id: app.id }, { as: 'agentA1' })).data.application.followUpCount === 2);
    const [reply] = await t.sql(`select kind, application_id from mail_messages where message_id = 'cevap@musteri.test'`);
    expect(reply).toMatchObject({ kind: 'reply', application_id: Number(app.id) });
    const fu = await t.sql(`select text from follow_ups where application_id = $1 order by id`, [app.id]);
    expect(fu[1].text).toContain('dekont ekte');
    expect((await t.sql(`select count(*)::int as n from record_links where from_type = 'Application' and from_id = $1 and to_type = 'Document'`, [app.id]))[0].n).toBe(1);
    // Only the number in the subject (a new mail program, no headers): still the same application.
    await dovecot.append([mail({ from: 'baska@musteri.test', subject: `Bilgi [#${app.number}] hakkında`, messageId: 'numara@musteri.test' })]);
    await until('by number', async () => (await t.gql(Q.followUps, { id: app.id }, { as: 'agentA1' })).data.application.followUpCount === 3);
  });

  it('a reply to a closed application reopens it only when the mailbox allows it', async () => {
    const row = (await appsOf(mbId)).find((r) => r.subject === 'İkinci konu')!;
    const id = String(row.application_id);
    const stages = (await t.gql(Q.stages, {}, { as: 'admin' })).data.processStages.items;
    const closedStage = stages.find((s: { closed: boolean }) => s.closed);
    let app = (await t.gql(Q.application, { id }, { as: 'admin' })).data.application;
    const ch = await t.gql(Q.changeStage, { id, v: app.version, s: closedStage.id }, { as: 'admin' });
    expect(ch.data.changeApplicationStage.closedAt).toBeTruthy();
    await dovecot.append([mail({ from: 'ayse@musteri.test', subject: `Re: İkinci konu`, messageId: 'kapali1@musteri.test', headers: { 'In-Reply-To': '<ikinci@musteri.test>' } })]);
    await until('follow-up on closed', async () => (await t.sql(`select 1 from mail_messages where message_id = 'kapali1@musteri.test' and application_id = $1`, [id])).length);
    app = (await t.gql(Q.application, { id }, { as: 'admin' })).data.application;
    expect(app.closedAt).toBeTruthy();
    const mb = (await t.sql('select version from mailboxes where id = $1', [mbId]))[0];
    expect((await t.gql(Q.updateMailbox, { id: mbId, v: mb.version, i: { reopenClosed: true } }, { as: 'admin' })).errors).toBeUndefined();
    await dovecot.append([mail({ from: 'ayse@musteri.test', subject: `Re: İkinci konu`, messageId: 'kapali2@musteri.test', headers: { 'In-Reply-To': '<ikinci@musteri.test>' } })]);
    await until('reopened', async () => !(await t.gql(Q.application, { id }, { as: 'admin' })).data.application.closedAt);
    app = (await t.gql(Q.application, { id }, { as: 'admin' })).data.application;
    expect(app.stage.closed).toBe(false);
  });

  it('never makes two applications of one message: delivered twice, fetched again after a restart', async () => {
    const m = mail({ from: 'iki@musteri.test', subject: 'Çift teslim', messageId: 'cift@musteri.test' });
    await dovecot.append([m, m]);
    const noId = mail({ from: 'iki@musteri.test', subject: 'Kimliksiz', messageId: null });
    await dovecot.append([noId, noId]);
    await until('both seen', async () => {
      const [s] = await t.sql(`select last_uid from mailboxes where id = $1`, [mbId]);
      const c = await dovecot.client();
      const box = await c.mailboxOpen('INBOX');
      await c.logout();
      return Number(s.last_uid) >= box.uidNext - 1;
    });
    // A restart that starts over from the first UID.
    await workers.stop();
    await t.sql(`update mailboxes set last_uid = 0 where id = $1`, [mbId]);
    const before = (await t.sql(`select count(*)::int as n from applications`))[0].n;
    workers = new MailWorkers(t.app.services);
    await workers.start();
    await until('rescanned', async () => {
      const [s] = await t.sql(`select last_uid from mailboxes where id = $1`, [mbId]);
      const c = await dovecot.client();
      const box = await c.mailboxOpen('INBOX');
      await c.logout();
      return Number(s.last_uid) >= box.uidNext - 1;
    });
    expect((await t.sql(`select count(*)::int as n from applications`))[0].n).toBe(before);
    expect((await t.sql(`select count(*)::int as n from applications where subject in ('Çift teslim', 'Kimliksiz')`))[0].n).toBe(2);
  });
});

describe('loops and junk', () => {
  beforeAll(() => workers.start());
  it('acknowledges new applications (Auto-Submitted: auto-replied), never automated mail, and caps per address per day', async () => {
    await folder('Onay');
    const mb = await createMailbox('Onaylı', 'Onay', { sendAcknowledgement: true });
    const before = smtp.messages.length;
    await dovecot.append(
      [
        mail({ from: 'insan@musteri.test', subject: 'Gerçek kişi' }),
        mail({ from: 'oto@musteri.test', subject: 'Otomatik', headers: { 'Auto-Submitted': 'auto-replied' } }),
        mail({ from: 'liste@musteri.test', subject: 'Bülten', headers: { Precedence: 'bulk' } }),
        mail({ from: 'liste2@musteri.test', subject: 'Liste', headers: { Precedence: 'list' } }),
        mail({ from: 'Mail Delivery System <MAILER-DAEMON@mx.test>', subject: 'Undelivered Mail Returned to Sender' }),
        mail({ from: 'hayir@musteri.test', subject: 'Auto-Submitted no', headers: { 'Auto-Submitted': 'no' } }),
        ...[1, 2, 3, 4, 5].map((i) => mail({ from: 'cok@musteri.test', subject: `Tekrar ${i}` })),
      ],
      'Onay',
    );
    await until('all 11', async () => (await appsOf(mb.id)).length === 11);
    await smtp.waitFor(before + 5);
    await new Promise((r) => setTimeout(r, 1500));
    const acks = smtp.messages.slice(before).map((m) => m.parsed);
    expect(acks.map((a) => (a.to as { value: { address: string }[] }).value[0].address).sort()).toEqual(['cok@musteri.test', 'cok@musteri.test', 'cok@musteri.test', 'hayir@musteri.test', 'insan@musteri.test']);
    for (const a of acks) {
      expect(a.headers.get('auto-submitted')).toBe('auto-replied');
      expect(a.subject).toMatch(/\[#\d{4}-\d{6}\]/);
      expect(a.inReplyTo).toBeTruthy();
    }
  });
});

describe('bad mail', () => {
  beforeAll(() => workers.start());
  it('quarantines malformed mail with its raw bytes, keeps going, and lets administrators retry or discard', async () => {
    await folder('Bozuk');
    const mb = await createMailbox('Bozuk kutu', 'Bozuk');
    const garbage = Buffer.from([0xff, 0xfe, 0x80, 0x81, 0x0d, 0x0a, 0x0d, 0x0a, 0x82, 0x83]);
    const noFrom = Buffer.from('Subject: Göndereni yok\r\nMessage-ID: <nofrom@x>\r\n\r\nmerhaba\r\n');
    const brokenMime = Buffer.from(
      'From: kirik@musteri.test\r\nSubject: =?utf-8?B?bozuk???=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="yok"\r\n\r\n--yok\r\nContent-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64%%%\r\n',
    );
    await dovecot.append([garbage, noFrom, brokenMime, mail({ from: 'sonra@musteri.test', subject: 'Sonraki iyi posta' })], 'Bozuk');
    await until('the good one after the bad ones', async () => (await appsOf(mb.id)).find((r) => r.subject === 'Sonraki iyi posta'));
    // Senders are processed in parallel lanes: wait for the whole batch.
    await until('the batch', async () => Number((await t.sql(`select last_uid from mailboxes where id = $1`, [mb.id]))[0].last_uid) >= 4);
    const q = await t.gql(Q.quarantine, { mb: mb.id }, { as: 'admin' });
    expect(q.errors).toBeUndefined();
    const items = q.data.quarantinedMail as { id: string; raw: string; error: string; subject: string | null }[];
    expect(items.length).toBe(3);
    const raws = items.map((i) => Buffer.from(i.raw, 'base64'));
    expect(raws.some((r) => r.subarray(0, 4).equals(garbage.subarray(0, 4)))).toBe(true);
    expect(raws.some((r) => r.equals(noFrom))).toBe(true);
    expect(raws.some((r) => r.equals(brokenMime))).toBe(true);
    expect(items.filter((i) => /sender/.test(i.error)).length).toBe(2);
    // The broken MIME that has a sender is quarantined too: its text is invalid base64 in an unknown charset.
    expect(items.find((i) => Buffer.from(i.raw, 'base64').equals(brokenMime))!.error).toMatch(/not valid base64/);
    expect((await appsOf(mb.id)).length).toBe(1);
    // Not for agents.
    expect((await t.gql(Q.quarantine, { mb: mb.id }, { as: 'agentA1' })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const one = items.find((i) => Buffer.from(i.raw, 'base64').equals(noFrom))!;
    const retried = await t.gql(Q.retry, { id: one.id }, { as: 'admin' });
    expect(retried.data.retryQuarantinedMail).toMatchObject({ status: 'QUARANTINED' });
    const discarded = await t.gql(Q.discard, { id: one.id }, { as: 'admin' });
    expect(discarded.data.discardQuarantinedMail.status).toBe('DISCARDED');
    expect((await t.gql(Q.quarantine, { mb: mb.id }, { as: 'admin' })).data.quarantinedMail.length).toBe(2);
    const status = (await t.gql(Q.mailboxes, {}, { as: 'admin' })).data.mailboxes.find((m: { id: string }) => m.id === mb.id);
    expect(status.quarantined).toBe(2);
  });

  it('records over-size mail and skips it without downloading it', async () => {
    await folder('Buyuk');
    const mb = await createMailbox('Büyük kutu', 'Buyuk', { maxMessageBytes: 4096 });
    await dovecot.append([mail({ from: 'buyuk@musteri.test', subject: 'Çok büyük', messageId: 'buyuk@musteri.test', body: 'x'.repeat(20_000) }), mail({ from: 'kucuk@musteri.test', subject: 'Küçük' })], 'Buyuk');
    await until('the small one', async () => (await appsOf(mb.id)).find((r) => r.subject === 'Küçük'));
    const [big] = await t.sql(`select kind, status, size, subject, raw from mail_messages where mailbox_id = $1 and message_id = 'buyuk@musteri.test'`, [mb.id]);
    expect(big).toMatchObject({ kind: 'oversize', status: 'skipped', subject: 'Çok büyük', raw: null });
    expect(big.size).toBeGreaterThan(20_000);
    expect((await t.sql(`select count(*)::int as n from applications where subject = 'Çok büyük'`))[0].n).toBe(0);
  });
});

/** Quoted-printable for an encoded word (RFC 2047 "Q"). */
const qWord = (bytes: Buffer) => [...bytes].map((x) => (x === 0x20 ? '_' : x >= 0x21 && x <= 0x7e && ![0x3d, 0x3f, 0x5f].includes(x) ? String.fromCharCode(x) : `=${x.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

describe('mail that cannot be read faithfully', () => {
  beforeAll(() => workers.start());
  const turkish = 'Merhaba, İstanbul şubesinde ödeme sorunu yaşıyorum. Çağrı merkezine ulaşamıyorum: ĞÜŞİÖÇ ğüşıöç.';
  const turkishSubject = 'Iğdır şubesi şikâyet';
  // The declared boundary never appears (the parts use another one), no closing boundary, an attachment with invalid base64.
  const brokenBoundary = Buffer.from(
    [
      'From: Işık Öztürk <sinir@musteri.test>',
      'To: destek@test.local',
      'Subject: =?utf-8?B?' + Buffer.from('Sınır bozuk').toString('base64') + '?=',
      'Message-ID: <sinir@musteri.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="bildirilen-sinir"',
      '',
      '--baska-sinir',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Faturamda hata var, lütfen düzeltin.',
      '--baska-sinir',
      'Content-Type: application/pdf; name="fatura.pdf"',
      'Content-Disposition: attachment; filename="fatura.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0xLjQK%%%bozuk*base64!!!',
      '',
    ].join('\r\n'),
    'utf8',
  );
  // charset="x-unknown" on ISO-8859-9 bytes, in the body and in an encoded-word subject.
  const unknownTurkish = Buffer.concat([
    Buffer.from(
      `From: bilinmeyen@musteri.test\r\nTo: destek@test.local\r\nSubject: =?x-unknown?Q?${qWord(iconv.encode(turkishSubject, 'iso-8859-9'))}?=\r\nMessage-ID: <bilinmeyen@musteri.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="x-unknown"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`,
    ),
    iconv.encode(turkish, 'iso-8859-9'),
    Buffer.from('\r\n'),
  ]);
  // An unknown charset on bytes that are not clean Turkish in any fallback (KOI8-R Russian).
  const russian = 'Здравствуйте, у меня проблема со счётом.';
  const unknownRussian = Buffer.concat([
    Buffer.from(`From: rusca@musteri.test\r\nTo: destek@test.local\r\nSubject: =?x-unknown?B?${iconv.encode('Счёт', 'koi8-r').toString('base64')}?=\r\nMessage-ID: <rusca@musteri.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n`),
    iconv.encode(russian, 'koi8-r'),
    Buffer.from('\r\n'),
  ]);
  // Invalid quoted-printable ("=G" is no escape).
  const badQp = Buffer.from('From: qp@musteri.test\r\nSubject: QP bozuk\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nFatura =C3=BCcreti =GZ fazla\r\n');
  const mailQ = `query($id: ID!) { applicationMail(applicationId: $id) { id status decodingNote fallbackCharset raw rawExpiresAt } }`;
  let mbId: string;
  const quarantined = async () => (await t.gql(Q.quarantine, { mb: mbId }, { as: 'admin' })).data.quarantinedMail as { id: string; raw: string; error: string; status: string }[];
  const byRaw = <T extends { raw: string }>(items: T[], raw: Buffer) => items.find((i) => Buffer.from(i.raw, 'base64').equals(raw));

  beforeAll(async () => {
    await folder('Sadakat');
    mbId = (await createMailbox('Sadakat', 'Sadakat')).id;
    await dovecot.append([brokenBoundary, unknownTurkish, unknownRussian, badQp, mail({ from: 'iyi@musteri.test', subject: 'Sadakat iyi posta' })], 'Sadakat');
    await until('the batch', async () => Number((await t.sql(`select last_uid from mailboxes where id = $1`, [mbId]))[0].last_uid) >= 5);
  });

  it('quarantines a multipart whose declared boundary never appears, with its raw bytes and the reason', async () => {
    const item = byRaw(await quarantined(), brokenBoundary)!;
    expect(item).toBeDefined();
    expect(item.error).toMatch(/boundary "bildirilen-sinir", which never appears/);
    expect((await t.sql(`select count(*)::int as n from applications where subject = 'Sınır bozuk'`))[0].n).toBe(0);
    expect(byRaw(await quarantined(), badQp)!.error).toMatch(/not valid quoted-printable/);
  });

  it('decodes an unknown charset that reads as clean Turkish with the fallback, and records it on the mail', async () => {
    const [row] = await t.sql(`select application_id, fallback_charset, decoding_note from mail_messages where mailbox_id = $1 and message_id = 'bilinmeyen@musteri.test' and status = 'processed'`, [mbId]);
    expect(row).toBeDefined();
    const app = (await t.gql(Q.application, { id: String(row.application_id) }, { as: 'admin' })).data.application;
    expect(app.subject).toBe(turkishSubject);
    expect(app.detail).toBe(turkish);
    const thread = (await t.gql(mailQ, { id: String(row.application_id) }, { as: 'admin' })).data.applicationMail;
    expect(thread[0]).toMatchObject({ status: 'PROCESSED', fallbackCharset: 'iso-8859-9' });
    expect(thread[0].decodingNote).toMatch(/subject.*body.*"x-unknown".*iso-8859-9/);
  });

  it('quarantines an unknown charset whose bytes are not clean Turkish in any fallback', async () => {
    const item = byRaw(await quarantined(), unknownRussian)!;
    expect(item.error).toMatch(/"x-unknown", which is not known, and its bytes are not clean Turkish/);
    expect((await t.sql(`select count(*)::int as n from mail_messages where mailbox_id = $1 and message_id = 'rusca@musteri.test' and application_id is not null`, [mbId]))[0].n).toBe(0);
  });

  it('never makes an application with U+FFFD or an empty detail out of mail that had text', async () => {
    const rows = await t.sql(
      `select a.subject, a.detail from mail_messages m join applications a on a.id = m.application_id where m.direction = 'in' and m.kind = 'new' and (a.subject like '%' || chr(65533) || '%' or coalesce(a.detail, '') like '%' || chr(65533) || '%' or coalesce(btrim(a.detail), '') = '')`,
    );
    expect(rows).toEqual([]);
    expect((await t.sql(`select count(*)::int as n from mail_messages where mailbox_id = $1 and status = 'processed'`, [mbId]))[0].n).toBe(2);
  });

  it('administrators retry quarantined mail (with the charset it is really in) or discard it', async () => {
    const russianItem = byRaw(await quarantined(), unknownRussian)!;
    // Nothing changed: still quarantined, with the reason.
    const again = await t.gql(Q.retry, { id: russianItem.id }, { as: 'admin' });
    expect(again.errors).toBeUndefined();
    expect(again.data.retryQuarantinedMail).toMatchObject({ id: russianItem.id, status: 'QUARANTINED' });
    expect(again.data.retryQuarantinedMail.error).toMatch(/not clean Turkish/);
    const bad = await t.gql(`mutation($id: ID!, $cs: String) { retryQuarantinedMail(id: $id, charset: $cs) { id } }`, { id: russianItem.id, cs: 'no-such-charset' }, { as: 'admin' });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'charset' });
    const denied = await t.gql(`mutation($id: ID!, $cs: String) { retryQuarantinedMail(id: $id, charset: $cs) { id } }`, { id: russianItem.id, cs: 'koi8-r' }, { as: 'agentA1' });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    // The administrator reads the raw bytes and names the charset: processed.
    const ok = await t.gql(`mutation($id: ID!, $cs: String) { retryQuarantinedMail(id: $id, charset: $cs) { id status applicationId decodingNote fallbackCharset rawExpiresAt } }`, { id: russianItem.id, cs: 'koi8-r' }, { as: 'admin' });
    expect(ok.errors).toBeUndefined();
    const done = ok.data.retryQuarantinedMail;
    expect(done).toMatchObject({ status: 'PROCESSED', fallbackCharset: 'koi8-r' });
    expect(done.decodingNote).toMatch(/administrator/);
    expect(done.rawExpiresAt).toBeTruthy();
    const app = (await t.gql(Q.application, { id: done.applicationId }, { as: 'admin' })).data.application;
    expect(app.subject).toBe('Счёт');
    expect(app.detail).toBe(russian);
    // A broken boundary cannot be fixed by retrying: it stays; then it is discarded and its bytes dropped.
    const broken = byRaw(await quarantined(), brokenBoundary)!;
    expect((await t.gql(Q.retry, { id: broken.id }, { as: 'admin' })).data.retryQuarantinedMail.status).toBe('QUARANTINED');
    expect((await t.gql(Q.discard, { id: broken.id }, { as: 'admin' })).data.discardQuarantinedMail.status).toBe('DISCARDED');
    expect((await t.sql(`select raw from mail_messages where id = $1`, [broken.id]))[0].raw).toBeNull();
    expect(byRaw(await quarantined(), brokenBoundary)).toBeUndefined();
  });

  it('keeps the raw bytes of ingested mail for MAIL_RAW_RETENTION_DAYS, then the cleanup deletes them and keeps the record', async () => {
    const [row] = await t.sql(`select id, application_id, raw, raw_expires_at, created_at from mail_messages where mailbox_id = $1 and message_id = 'bilinmeyen@musteri.test'`, [mbId]);
    expect(Buffer.from(row.raw).equals(unknownTurkish)).toBe(true);
    const days = (new Date(row.raw_expires_at).getTime() - new Date(row.created_at).getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    // Administrators read them through the API; agents who may read the application do not.
    const thread = (await t.gql(mailQ, { id: String(row.application_id) }, { as: 'admin' })).data.applicationMail;
    expect(Buffer.from(thread[0].raw, 'base64').equals(unknownTurkish)).toBe(true);
    const agent = await t.gql(mailQ, { id: String(row.application_id) }, { as: 'agentA1' });
    expect(agent.errors).toBeUndefined();
    expect(agent.data.applicationMail[0].raw).toBeNull();
    // Not expired yet: the cleanup keeps them.
    await purgeExpiredRaw(t.system());
    expect((await t.sql(`select raw is not null as kept from mail_messages where id = $1`, [row.id]))[0].kept).toBe(true);
    // Thirty days later (the expiry moved into the past), they are deleted; quarantined mail keeps its bytes.
    await t.sql(`update mail_messages set raw_expires_at = now() - interval '1 minute' where id = $1`, [row.id]);
    expect(await purgeExpiredRaw(t.system())).toBeGreaterThanOrEqual(1);
    const [after] = await t.sql(`select raw, raw_expires_at, status, application_id from mail_messages where id = $1`, [row.id]);
    expect(after).toMatchObject({ raw: null, raw_expires_at: null, status: 'processed', application_id: row.application_id });
    expect(byRaw(await quarantined(), badQp)).toBeDefined();
  });
});

describe('exactly once under concurrency and crashes', () => {
  beforeAll(() => workers.start());
  const N = 150;
  it('two workers on two server instances: one application per message', async () => {
    await folder('Ikili');
    const mb = await createMailbox('İkili', 'Ikili');
    const second = await initOrm(t.dbUrl, 4);
    const other = new MailWorkers({ orm: second, config: t.app.services.config, events: new EventBus(t.dbUrl) });
    await other.start();
    try {
      await dovecot.append(Array.from({ length: N }, (_, i) => mail({ from: `ikili${i % 10}@musteri.test`, subject: `İkili ${i}`, messageId: `ikili-${i}@musteri.test` })), 'Ikili');
      await until('all', async () => (await appsOf(mb.id)).length === N, 120_000);
      await new Promise((r) => setTimeout(r, 1500));
      expect((await t.sql(`select count(*)::int as n from applications where subject like 'İkili %'`))[0].n).toBe(N);
      expect((await t.sql(`select count(distinct application_id)::int as n from mail_messages where mailbox_id = $1`, [mb.id]))[0].n).toBe(N);
    } finally {
      await other.stop();
      await second.close(true);
    }
  });

  it('a worker killed with SIGKILL mid-batch and restarted loses nothing and duplicates nothing', async () => {
    await folder('Kill');
    await workers.stop();
    const mb = await createMailbox('Öldürülen', 'Kill');
    const M = 300;
    await dovecot.append(Array.from({ length: M }, (_, i) => mail({ from: `kill${i % 7}@musteri.test`, subject: `Kill ${i}`, messageId: i % 5 === 0 ? null : `kill-${i}@musteri.test`, body: `gövde ${i}` })), 'Kill');
    for (const stopAt of [20, 120]) {
      const child = spawn(process.execPath, ['-r', path.join(__dirname, '../../../api/register.js'), path.join(__dirname, 'worker-process.ts')], {
        env: { ...process.env, DATABASE_URL: t.dbUrl, NODE_ENV: 'test', LOG_LEVEL: 'silent', MAIL_POLL_SECONDS: '1', MAIL_SECRET_KEY: 'a'.repeat(64), DATA_DIR: path.join(dovecot.dir, 'data') },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise((r) => child.once('exit', r));
      await until(`${stopAt} processed`, async () => (await appsOf(mb.id)).length >= stopAt, 120_000);
      child.kill('SIGKILL');
      await exited;
    }
    expect((await appsOf(mb.id)).length).toBeLessThan(M);
    workers = new MailWorkers(t.app.services);
    await workers.start();
    await until('all after restart', async () => (await appsOf(mb.id)).length === M, 120_000);
    expect((await t.sql(`select count(*)::int as n from applications where subject like 'Kill %'`))[0].n).toBe(M);
    expect((await t.sql(`select count(distinct subject)::int as n from applications where subject like 'Kill %'`))[0].n).toBe(M);
  });

  it('a UIDVALIDITY change rescans the folder and duplicates nothing', async () => {
    await folder('Yeniden');
    const mb = await createMailbox('UIDVALIDITY', 'Yeniden');
    const msgs = Array.from({ length: 5 }, (_, i) => mail({ from: 'uv@musteri.test', subject: `UV ${i}`, messageId: `uv-${i}@musteri.test` }));
    await dovecot.append(msgs, 'Yeniden');
    await until('five', async () => (await appsOf(mb.id)).length === 5);
    const [{ uid_validity: before }] = await t.sql(`select uid_validity from mailboxes where id = $1`, [mb.id]);
    // The folder is recreated (a new UIDVALIDITY) with the same five mails and one new one.
    await workers.stop();
    await dovecot.recreate('Yeniden', [...msgs, mail({ from: 'uv@musteri.test', subject: 'UV yeni', messageId: 'uv-new@musteri.test' })]);
    workers = new MailWorkers(t.app.services);
    await workers.start();
    await until('the new one', async () => (await appsOf(mb.id)).length === 6);
    // The cursor moves once the whole batch is committed.
    await until('the cursor', async () => Number((await t.sql(`select last_uid from mailboxes where id = $1`, [mb.id]))[0].last_uid) === 6);
    const [{ uid_validity: after }] = await t.sql(`select uid_validity from mailboxes where id = $1`, [mb.id]);
    expect(after).not.toBe(before);
    expect((await t.sql(`select count(*)::int as n from applications where subject like 'UV %'`))[0].n).toBe(6);
  });
});
