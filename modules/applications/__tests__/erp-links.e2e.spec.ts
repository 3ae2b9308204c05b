import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { codeOf, startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';

/**
 * ERP links of an application, through the API only (issue 4): an application turns into a
 * service request, an opportunity or a task, each in one transaction and safe to retry with
 * an idempotency key; documents are uploaded onto it and downloaded with permission checks;
 * the other team sees neither the linked records nor their files (only that a link exists);
 * and the detail view loads every kind of link without N+1 statements.
 *
 * Team A works the applications (agentA1 records and converts them). Team B (agentB1) must
 * never see team A's service requests, opportunities, tasks or documents.
 */

// ---------------------------------------------------------------- operations

const SR_FIELDS = `id number subject detail product serialNumber plannedDate requestedDate assigneeEveryone
  account { id } contact { id } subscription { id } priority { id } stage { id name isInitial }
  assigneeUser { id } assigneeTeam { id } createdBy { id }`;
const OPP_FIELDS = `id title description expectedAmount currency probability
  account { id } contact { id } campaign { id } project { id } owner { id } createdBy { id } stage { name }`;
const TASK_FIELDS = 'id title description status dueAt assignee { id } createdBy { id } priority { id }';

const Q = {
  createCategory: 'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id } }',
  createAccount: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }',
  createContact: 'mutation($i: CreateContactInput!) { createContact(input: $i) { id } }',
  archiveContact: 'mutation($id: ID!) { archiveContact(id: $id) { id archivedAt } }',
  createSubscription: 'mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { id } }',
  createProject: 'mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }',
  createCampaign: 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
  priorities: '{ priorities(page: { limit: 100 }) { items { id name isDefault sortOrder } } }',
  createApplication: 'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id number version priority { id } } }',
  archiveApplication: 'mutation($id: ID!) { archiveApplication(id: $id) { id archivedAt } }',
  application: 'query($id: ID!) { application(id: $id) { id number } }',
  links: `query($id: ID!) { application(id: $id) { id version
      serviceRequests { id item { id number } }
      opportunities { id item { id title } }
      tasks { id item { id title status } }
      documents { id item { id name sha256 } }
      contents { id item { id title } } } }`,
  history: 'query($id: ID!) { application(id: $id) { id history { field oldValue newValue actor { id } } } }',
  toServiceRequest: `mutation($a: ID!, $i: ServiceRequestFromApplicationInput, $k: String) {
      convertApplicationToServiceRequest(applicationId: $a, input: $i, idempotencyKey: $k) { ${SR_FIELDS} } }`,
  toOpportunity: `mutation($a: ID!, $i: OpportunityFromApplicationInput!, $k: String) {
      convertApplicationToOpportunity(applicationId: $a, input: $i, idempotencyKey: $k) { ${OPP_FIELDS} } }`,
  addTask: `mutation($a: ID!, $i: CreateTaskInput!, $k: String) {
      addApplicationTask(applicationId: $a, input: $i, idempotencyKey: $k) { ${TASK_FIELDS} } }`,
  createTask: `mutation($i: CreateTaskInput!) { createTask(input: $i) { ${TASK_FIELDS} } }`,
  createContent: 'mutation($i: CreateContentInput!) { createContent(input: $i) { id title published } }',
  linkTask: 'mutation($a: ID!, $id: ID!) { linkTaskToApplication(applicationId: $a, taskId: $id) { id tasks { id item { id } } } }',
  unlinkTask: 'mutation($a: ID!, $id: ID!) { unlinkTaskFromApplication(applicationId: $a, taskId: $id) { id tasks { id } } }',
  linkContent: 'mutation($a: ID!, $id: ID!) { linkContentToApplication(applicationId: $a, contentId: $id) { id contents { id item { id title } } } }',
  unlinkContent: 'mutation($a: ID!, $id: ID!) { unlinkContentFromApplication(applicationId: $a, contentId: $id) { id contents { id } } }',
  linkDocument: 'mutation($a: ID!, $id: ID!) { linkDocumentToApplication(applicationId: $a, documentId: $id) { id documents { id item { id } } } }',
  unlinkDocument: 'mutation($a: ID!, $id: ID!) { unlinkDocumentFromApplication(applicationId: $a, documentId: $id) { id documents { id } } }',
  serviceRequest: `query($id: ID!) { serviceRequest(id: $id) { ${SR_FIELDS} applications { id item { id number } } } }`,
  opportunity: `query($id: ID!) { opportunity(id: $id) { ${OPP_FIELDS} applications { id item { id number } } } }`,
  task: `query($id: ID!) { task(id: $id) { ${TASK_FIELDS} } }`,
  document: 'query($id: ID!) { document(id: $id) { id name fileName mimeType size sha256 downloadUrl uploadedBy { id } } }',
  serviceRequests: 'query($f: ServiceRequestFilter) { serviceRequests(filter: $f, page: { limit: 500 }) { total items { id } } }',
  opportunities: 'query($f: OpportunityFilter) { opportunities(filter: $f, page: { limit: 500 }) { total items { id } } }',
  tasks: 'query($f: TaskFilter) { tasks(filter: $f, page: { limit: 500 }) { total items { id } } }',
  documents: 'query($f: DocumentFilter) { documents(filter: $f, page: { limit: 500 }) { total items { id name sha256 } } }',
  account: 'query($id: ID!) { account(id: $id) { id openServiceRequestCount openOpportunities { id title expectedAmount currency } } }',
  addFollowUp: 'mutation($a: ID!, $i: FollowUpInput!) { addFollowUp(applicationId: $a, input: $i) { id } }',
  addTime: 'mutation($a: ID!, $i: TimeEntryInput!) { addTimeEntry(applicationId: $a, input: $i) { id } }',
};

/** The application's detail view: every kind of link with its record, and the applicant's summary. */
const DETAIL = `query($id: ID!) {
  application(id: $id) {
    serviceRequests { id item { number stage { name } } }
    opportunities { id item { title expectedAmount } }
    tasks { id item { title status } }
    documents { id item { name size } }
    contents { id item { title } }
    followUps { text }
    timeEntries { minutes }
    applicant { name subscriptions { number } openApplicationCount openServiceRequestCount openOpportunities { title expectedAmount currency } timeSpentMinutes }
  }
}`;

// ---------------------------------------------------------------- helpers

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  expect(res.status).toBe(200);
  return res.data as T;
}

/** Exactly one error with this code (and this field, when given) and no data. */
function expectError(res: GqlResult, code: string, field?: string) {
  expect(res.errors).toBeDefined();
  expect(res.errors).toHaveLength(1);
  const got: Record<string, unknown> = { code: codeOf(res) };
  if (field !== undefined) got.field = res.errors![0].extensions?.field;
  expect(got).toEqual(field !== undefined ? { code, field } : { code });
  expect(res.data ?? null).toBeNull();
}

/** A small but real PDF: the %PDF- signature, a catalog and a trailer. */
const pdf = (text: string) =>
  Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n`, 'utf8');

/** The value-chars of an RFC 8187 ext-value: percent-encoded bytes and attr-chars only. */
const RFC8187_VALUE = /^(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9!#$&+.^_`|~-])+$/;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();
const today = () => new Date().toISOString().slice(0, 10);

/** Every file under a folder, at any depth (the storage folder and its tmp/). */
function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

interface FilePart {
  data: Buffer;
  /** The name as sent; form-data keeps only its last part, so path names go in `filepath`. */
  filename?: string;
  filepath?: string;
  contentType?: string;
}

interface HttpResult {
  status: number;
  headers: Record<string, string>;
  bytes: Buffer;
  json: any;
}

/** Collects the raw bytes of any response (PDFs and JSON errors alike). */
const rawBody = (res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => cb(e, Buffer.alloc(0)));
};

const toResult = (res: request.Response): HttpResult => {
  const bytes = Buffer.isBuffer(res.body) ? res.body : Buffer.from(res.text ?? '');
  let json: any = null;
  if (String(res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(bytes.toString('utf8'));
  return { status: res.status, headers: res.headers as Record<string, string>, bytes, json };
};

describe('ERP links of an application: conversions, documents, permissions, statement count', () => {
  let t: TestApp;
  let dataDir: string;
  let storage: string;

  const uid = (r: RoleName) => String(t.world.users[r].id);
  const teamA = () => String(t.world.teams.A);
  const token = (r: RoleName) => t.world.users[r].token;

  // Reference data and customers, set up by the administrator.
  const ref = {} as Record<'category' | 'project' | 'campaign' | 'highPriority' | 'lowPriority' | 'defaultPriority', string>;
  const acc = {} as Record<'isik' | 'deniz' | 'few' | 'many' | 'hidden', { id: string; contact: string; sub: string }>;

  /** Multipart upload to /documents or /applications/:id/documents, as a user or anonymous. */
  async function upload(pathname: string, as: RoleName | null, file: FilePart, fields: Record<string, string> = {}): Promise<HttpResult> {
    let req = request(t.url).post(pathname);
    if (as) req = req.set('authorization', `Bearer ${token(as)}`);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const opts = { filename: file.filename, filepath: file.filepath, contentType: file.contentType };
    req = req.attach('file', file.data, opts as { filename?: string; contentType?: string });
    return toResult(await req.buffer(true).parse(rawBody as never));
  }

  async function download(id: string, as: RoleName | null): Promise<HttpResult> {
    let req = request(t.url).get(`/documents/${id}/content`);
    if (as) req = req.set('authorization', `Bearer ${token(as)}`);
    return toResult(await req.buffer(true).parse(rawBody as never));
  }

  /** Every table a conversion, link or upload writes to. */
  const snapshot = async () =>
    (
      await t.sql(`select (select count(*) from service_requests)::int as service_requests,
                          (select count(*) from service_request_history)::int as service_request_history,
                          (select coalesce(sum(last), 0) from service_request_counters)::int as service_request_numbers,
                          (select count(*) from opportunities)::int as opportunities,
                          (select count(*) from tasks)::int as tasks,
                          (select count(*) from documents)::int as documents,
                          (select count(*) from record_links)::int as record_links,
                          (select count(*) from application_history)::int as application_history,
                          (select count(*) from idempotency_keys)::int as idempotency_keys`)
    )[0] as Record<string, number>;

  const appRow = async (id: string) => (await t.sql('select version, updated_at from applications where id = $1', [id]))[0];

  /** Waits (briefly) until the storage folder holds exactly these files: removals may finish just after the answer. */
  async function expectStorage(expected: string[]) {
    const deadline = Date.now() + 2000;
    let now = walk(storage);
    while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      now = walk(storage);
    }
    expect(now).toEqual(expected);
  }

  /** The stored files once no upload is in flight (tmp/ empty), waiting briefly for removals to finish. */
  async function settledFiles(): Promise<string[]> {
    const deadline = Date.now() + 2000;
    while (walk(path.join(storage, 'tmp')).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    return walk(storage);
  }

  /** An application of Işık Elektrik (or another account) assigned to team A, recorded by agentA1. */
  async function newApp(over: Record<string, unknown> = {}, as: RoleName = 'agentA1', account = acc.isik): Promise<{ id: string; number: string }> {
    const d = ok(
      await t.gql(
        Q.createApplication,
        {
          i: {
            applicantId: account.id,
            reporterId: account.contact,
            subscriptionId: account.sub,
            categoryId: ref.category,
            priorityId: ref.highPriority,
            projectId: ref.project,
            campaignId: ref.campaign,
            assignee: { teamId: teamA() },
            subject: 'Klima çalışmıyor, servis istiyor',
            detail: 'Dış ünite çok ses yapıyor; müşteri teknisyen ziyareti istiyor.',
            ...over,
          },
        },
        { as },
      ),
    );
    return d.createApplication;
  }

  const historyOf = async (id: string, as: RoleName = 'admin') => ok(await t.gql(Q.history, { id }, { as })).application.history as { field: string; oldValue: string | null; newValue: string | null; actor: { id: string } | null }[];
  const linksOf = async (id: string, as: RoleName = 'agentA1') => ok(await t.gql(Q.links, { id }, { as })).application;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'erp-links-'));
    storage = path.join(dataDir, 'documents');
    t = await startTestApp({ DATA_DIR: dataDir, DOCUMENT_MAX_BYTES: '100000' });

    const admin = { as: 'admin' as RoleName };
    ref.category = ok(await t.gql(Q.createCategory, { i: { name: 'Teknik servis' } }, admin)).createCategory.id;
    ref.project = ok(await t.gql(Q.createProject, { i: { name: 'Klima bakım 2026', startDate: '2026-01-01' } }, admin)).createProject.id;
    ref.campaign = ok(await t.gql(Q.createCampaign, { i: { name: 'Yaz kampanyası', startDate: '2026-01-01', endDate: '2026-12-31' } }, admin)).createCampaign.id;
    const prios = ok(await t.gql(Q.priorities, {}, admin)).priorities.items as { id: string; isDefault: boolean; sortOrder: number }[];
    const sorted = [...prios].sort((a, b) => a.sortOrder - b.sortOrder);
    ref.defaultPriority = prios.find((p) => p.isDefault)!.id;
    // Two priorities that are not the default one, so that "prefilled" cannot be a coincidence.
    const others = sorted.filter((p) => !p.isDefault);
    expect(others.length).toBeGreaterThanOrEqual(2);
    ref.highPriority = others[others.length - 1].id;
    ref.lowPriority = others[0].id;

    const customer = async (name: string, first: string, last: string, sub: string) => {
      const id = ok(await t.gql(Q.createAccount, { i: { kind: 'COMPANY', name } }, admin)).createAccount.id as string;
      const contact = ok(await t.gql(Q.createContact, { i: { accountId: id, firstName: first, lastName: last } }, admin)).createContact.id as string;
      const s = ok(await t.gql(Q.createSubscription, { i: { accountId: id, number: sub } }, admin)).createSubscription.id as string;
      return { id, contact, sub: s };
    };
    acc.isik = await customer('Işık Elektrik A.Ş.', 'Şule', 'Çelik', 'AB-1001');
    acc.deniz = await customer('Deniz Gıda Ltd.', 'Ömer', 'Kaya', 'AB-2001');
    acc.few = await customer('Az Bağlantı A.Ş.', 'Gül', 'Ak', 'AB-3001');
    acc.many = await customer('Çok Bağlantı A.Ş.', 'İlker', 'Öz', 'AB-4001');
    acc.hidden = await customer('Gizli Soğutma A.Ş.', 'Ferit', 'Su', 'AB-5001');
  });

  afterAll(async () => {
    await t?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  // ============================================================ 1. conversions

  describe('conversions', () => {
    let app: { id: string; number: string };

    beforeAll(async () => {
      app = await newApp();
    });

    test('convertApplicationToServiceRequest prefills account, reporter, subscription, subject, detail and priority, and links both ways', async () => {
      const before = await snapshot();
      const sr = ok(await t.gql(Q.toServiceRequest, { a: app.id }, { as: 'agentA1' })).convertApplicationToServiceRequest;
      expect(sr).toMatchObject({
        number: expect.stringMatching(/^SR-\d{4}-\d{6}$/),
        account: { id: acc.isik.id },
        contact: { id: acc.isik.contact },
        subscription: { id: acc.isik.sub },
        subject: 'Klima çalışmıyor, servis istiyor',
        detail: 'Dış ünite çok ses yapıyor; müşteri teknisyen ziyareti istiyor.',
        priority: { id: ref.highPriority },
        stage: { isInitial: true },
        // Whoever works on the application sees the request: its assignee carries over.
        assigneeTeam: { id: teamA() },
        assigneeEveryone: false,
        createdBy: { id: uid('agentA1') },
        requestedDate: today(),
      });
      // One request, one link, one application history entry, the request's own 'created'.
      const after = await snapshot();
      expect(after).toEqual({
        ...before,
        service_requests: before.service_requests + 1,
        service_request_history: before.service_request_history + 1,
        service_request_numbers: before.service_request_numbers + 1,
        record_links: before.record_links + 1,
        application_history: before.application_history + 1,
      });

      // Visible from the application…
      for (const as of ['agentA1', 'agentA2', 'leaderA', 'admin'] as RoleName[]) {
        const links = await linksOf(app.id, as);
        expect(links.serviceRequests).toEqual([{ id: sr.id, item: { id: sr.id, number: sr.number } }]);
      }
      // …and from the service request.
      const back = ok(await t.gql(Q.serviceRequest, { id: sr.id }, { as: 'agentA2' })).serviceRequest;
      expect(back.applications).toEqual([{ id: app.id, item: { id: app.id, number: app.number } }]);

      const history = await historyOf(app.id);
      expect(history.filter((h) => h.field === 'serviceRequest')).toEqual([{ field: 'serviceRequest', oldValue: null, newValue: sr.number, actor: { id: uid('agentA1') } }]);
    });

    test('the service request can override what comes from the application', async () => {
      const sr = ok(
        await t.gql(
          Q.toServiceRequest,
          { a: app.id, i: { subject: 'Teknisyen ziyareti', detail: null, priorityId: ref.lowPriority, product: 'Split klima', serialNumber: 'SN-ÇĞ-42', plannedDate: '2099-03-02' } },
          { as: 'agentA1' },
        ),
      ).convertApplicationToServiceRequest;
      expect(sr).toMatchObject({
        account: { id: acc.isik.id },
        contact: { id: acc.isik.contact },
        subject: 'Teknisyen ziyareti',
        detail: null,
        priority: { id: ref.lowPriority },
        product: 'Split klima',
        serialNumber: 'SN-ÇĞ-42',
        plannedDate: '2099-03-02',
      });
      const links = await linksOf(app.id);
      expect(links.serviceRequests.map((l: { id: string }) => l.id)).toHaveLength(2);
      expect(links.serviceRequests[1]).toEqual({ id: sr.id, item: { id: sr.id, number: sr.number } });
    });

    test('convertApplicationToOpportunity takes the amount and currency, the rest from the application', async () => {
      const before = await snapshot();
      const o = ok(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 12500.5, currency: 'EUR' } }, { as: 'agentA1' })).convertApplicationToOpportunity;
      expect(o).toMatchObject({
        title: 'Klima çalışmıyor, servis istiyor',
        description: 'Dış ünite çok ses yapıyor; müşteri teknisyen ziyareti istiyor.',
        expectedAmount: 12500.5,
        currency: 'EUR',
        account: { id: acc.isik.id },
        contact: { id: acc.isik.contact },
        campaign: { id: ref.campaign },
        project: { id: ref.project },
        owner: { id: uid('agentA1') },
        createdBy: { id: uid('agentA1') },
        stage: { name: 'Yeni fırsat' },
      });
      expect(await snapshot()).toEqual({ ...before, opportunities: before.opportunities + 1, record_links: before.record_links + 1, application_history: before.application_history + 1 });

      const links = await linksOf(app.id);
      expect(links.opportunities).toEqual([{ id: o.id, item: { id: o.id, title: o.title } }]);
      const back = ok(await t.gql(Q.opportunity, { id: o.id }, { as: 'agentA1' })).opportunity;
      expect(back.applications).toEqual([{ id: app.id, item: { id: app.id, number: app.number } }]);
      expect((await historyOf(app.id)).filter((h) => h.field === 'opportunity')).toEqual([{ field: 'opportunity', oldValue: null, newValue: o.title, actor: { id: uid('agentA1') } }]);

      // The applicant's summary shows the open opportunity with its amount.
      const account = ok(await t.gql(Q.account, { id: acc.isik.id }, { as: 'agentA1' })).account;
      expect(account.openOpportunities).toContainEqual({ id: o.id, title: o.title, expectedAmount: 12500.5, currency: 'EUR' });
    });

    test("addApplicationTask opens a task for the agent, linked to the application and in 'my tasks'", async () => {
      const before = await snapshot();
      const due = tomorrow();
      const task = ok(await t.gql(Q.addTask, { a: app.id, i: { title: 'Müşteriyi geri ara', description: 'Randevu teyidi', dueAt: due, priorityId: ref.highPriority } }, { as: 'agentA1' }))
        .addApplicationTask;
      expect(task).toMatchObject({
        title: 'Müşteriyi geri ara',
        description: 'Randevu teyidi',
        status: 'OPEN',
        dueAt: due,
        assignee: { id: uid('agentA1') },
        createdBy: { id: uid('agentA1') },
        priority: { id: ref.highPriority },
      });
      expect(await snapshot()).toEqual({ ...before, tasks: before.tasks + 1, record_links: before.record_links + 1, application_history: before.application_history + 1 });
      const links = await linksOf(app.id);
      expect(links.tasks).toEqual([{ id: task.id, item: { id: task.id, title: 'Müşteriyi geri ara', status: 'OPEN' } }]);
      expect((await historyOf(app.id)).filter((h) => h.field === 'task')).toEqual([{ field: 'task', oldValue: null, newValue: 'Müşteriyi geri ara', actor: { id: uid('agentA1') } }]);
      const mine = ok(await t.gql(Q.tasks, { f: { mine: true } }, { as: 'agentA1' })).tasks;
      expect(mine.items.map((i: { id: string }) => i.id)).toContain(task.id);
    });

    test('existing tasks and contents are linked once (a repeat adds nothing) and unlinked with history', async () => {
      const task = ok(await t.gql(Q.createTask, { i: { title: 'Yedek parça siparişi', dueAt: tomorrow() } }, { as: 'agentA1' })).createTask;
      const content = ok(await t.gql(Q.createContent, { i: { title: 'Klima gürültüsü: ilk kontroller', body: 'Filtreleri temizleyin.', published: true } }, { as: 'admin' })).createContent;

      const before = await snapshot();
      const linked = ok(await t.gql(Q.linkTask, { a: app.id, id: task.id }, { as: 'agentA1' })).linkTaskToApplication;
      expect(linked.tasks.map((l: { id: string }) => l.id)).toContain(task.id);
      const c = ok(await t.gql(Q.linkContent, { a: app.id, id: content.id }, { as: 'agentA1' })).linkContentToApplication;
      expect(c.contents).toEqual([{ id: content.id, item: { id: content.id, title: 'Klima gürültüsü: ilk kontroller' } }]);
      const once = await snapshot();
      expect(once).toEqual({ ...before, record_links: before.record_links + 2, application_history: before.application_history + 2 });

      // Linking again is harmless: no second link, no second history entry.
      ok(await t.gql(Q.linkTask, { a: app.id, id: task.id }, { as: 'agentA1' }));
      ok(await t.gql(Q.linkContent, { a: app.id, id: content.id }, { as: 'agentA1' }));
      expect(await snapshot()).toEqual(once);

      const unlinked = ok(await t.gql(Q.unlinkTask, { a: app.id, id: task.id }, { as: 'agentA1' })).unlinkTaskFromApplication;
      expect(unlinked.tasks.map((l: { id: string }) => l.id)).not.toContain(task.id);
      ok(await t.gql(Q.unlinkContent, { a: app.id, id: content.id }, { as: 'agentA1' }));
      expect((await linksOf(app.id)).contents).toEqual([]);
      expect(await snapshot()).toEqual({ ...once, record_links: once.record_links - 2, application_history: once.application_history + 2 });
      const history = await historyOf(app.id);
      expect(history.filter((h) => h.field === 'task' && h.oldValue === `#${task.id}`)).toHaveLength(1);
      expect(history.filter((h) => h.field === 'content' && h.oldValue === `#${content.id}`)).toHaveLength(1);
      // The task itself stays.
      expect(ok(await t.gql(Q.task, { id: task.id }, { as: 'agentA1' })).task.id).toBe(task.id);
    });
  });

  // ============================================================ 2. transactions and retries

  describe('each conversion is one transaction', () => {
    let statements: string[] = [];
    let recording = false;
    const onQuery = (q: { sql?: string }) => {
      if (recording) statements.push(String(q.sql ?? '').toLowerCase());
    };
    const knexOf = () => (t.app.services.orm.em as unknown as SqlEntityManager).getConnection().getKnex();

    beforeAll(() => knexOf().on('query', onQuery));
    afterAll(() => knexOf().removeListener('query', onQuery));

    async function recorded<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
      statements = [];
      recording = true;
      try {
        const result = await fn();
        return { result, sql: [...statements] };
      } finally {
        recording = false;
      }
    }

    test('a failure after the new record was written leaves nothing behind, and the retry with the same key succeeds', async () => {
      const app = await newApp({ subject: 'Son adımda reddedilecek başvuru' });
      const keys = { sr: `sr-${randomUUID()}`, opp: `opp-${randomUUID()}`, task: `task-${randomUUID()}` };
      // The database refuses the last write of every conversion of this application: its
      // history entry, written after the new record, its own history, the number and the link.
      await t.sql(`create function erp_links_refuse() returns trigger language plpgsql as $$
        begin
          if new.application_id = ${Number(app.id)} and new.field in ('serviceRequest', 'opportunity', 'task', 'document') then
            raise exception 'value too long for type character varying(1)' using errcode = '22001';
          end if;
          return new;
        end $$`);
      await t.sql('create trigger erp_links_refuse before insert on application_history for each row execute function erp_links_refuse()');
      try {
        const before = await snapshot();
        const row = await appRow(app.id);
        const files = walk(storage);

        const sr = await recorded(() => t.gql(Q.toServiceRequest, { a: app.id, k: keys.sr }, { as: 'agentA1' }));
        expect(sr.result.errors).toHaveLength(1);
        expect(sr.result.data ?? null).toBeNull();
        // The request really was written (numbered, inserted, its history, the link) before the failure.
        expect(sr.sql.some((s) => s.includes('service_request_counters'))).toBe(true);
        expect(sr.sql.some((s) => s.startsWith('insert into "service_requests"'))).toBe(true);
        expect(sr.sql.some((s) => s.includes('insert into record_links'))).toBe(true);
        expect(sr.sql.some((s) => s.startsWith('rollback'))).toBe(true);

        const opp = await recorded(() => t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 100, currency: 'TRY' }, k: keys.opp }, { as: 'agentA1' }));
        expect(opp.result.errors).toHaveLength(1);
        expect(opp.result.data ?? null).toBeNull();
        expect(opp.sql.some((s) => s.startsWith('insert into "opportunities"'))).toBe(true);

        const task = await recorded(() => t.gql(Q.addTask, { a: app.id, i: { title: 'Reddedilecek iş', dueAt: tomorrow() }, k: keys.task }, { as: 'agentA1' }));
        expect(task.result.errors).toHaveLength(1);
        expect(task.result.data ?? null).toBeNull();
        expect(task.sql.some((s) => s.startsWith('insert into "tasks"'))).toBe(true);

        // The upload onto the application: the row and the link roll back, the file goes.
        const up = await upload(`/applications/${app.id}/documents`, 'agentA1', { data: pdf('son adımda'), filename: 'reddedilecek.pdf', contentType: 'application/pdf' });
        expect(up.status).toBeGreaterThanOrEqual(400);
        expect(up.json.errors).toHaveLength(1);

        // Nothing at all was written: no record, no number, no history, no link, no key, no file.
        expect(await snapshot()).toEqual(before);
        expect(await appRow(app.id)).toEqual(row);
        await expectStorage(files);
        const links = await linksOf(app.id);
        expect([links.serviceRequests, links.opportunities, links.tasks, links.documents]).toEqual([[], [], [], []]);
      } finally {
        await t.sql('drop trigger if exists erp_links_refuse on application_history');
        await t.sql('drop function if exists erp_links_refuse()');
      }

      // The client retries with the same keys: the failed attempts did not use them up.
      const before = await snapshot();
      const sr = ok(await t.gql(Q.toServiceRequest, { a: app.id, k: keys.sr }, { as: 'agentA1' })).convertApplicationToServiceRequest;
      const opp = ok(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 100, currency: 'TRY' }, k: keys.opp }, { as: 'agentA1' })).convertApplicationToOpportunity;
      const task = ok(await t.gql(Q.addTask, { a: app.id, i: { title: 'Reddedilecek iş', dueAt: tomorrow() }, k: keys.task }, { as: 'agentA1' })).addApplicationTask;
      const after = await snapshot();
      expect(after).toEqual({
        ...before,
        service_requests: before.service_requests + 1,
        service_request_history: before.service_request_history + 1,
        service_request_numbers: before.service_request_numbers + 1,
        opportunities: before.opportunities + 1,
        tasks: before.tasks + 1,
        record_links: before.record_links + 3,
        application_history: before.application_history + 3,
        idempotency_keys: before.idempotency_keys + 3,
      });
      const links = await linksOf(app.id);
      expect(links.serviceRequests.map((l: { id: string }) => l.id)).toEqual([sr.id]);
      expect(links.opportunities.map((l: { id: string }) => l.id)).toEqual([opp.id]);
      expect(links.tasks.map((l: { id: string }) => l.id)).toEqual([task.id]);
    });

    test("a stale application (its reporter archived since) is refused and writes nothing, not even a number", async () => {
      const admin = { as: 'admin' as RoleName };
      const contact = ok(await t.gql(Q.createContact, { i: { accountId: acc.deniz.id, firstName: 'Eski', lastName: 'Çalışan' } }, admin)).createContact.id;
      const app = await newApp({ reporterId: contact, subscriptionId: acc.deniz.sub, applicantId: acc.deniz.id, subject: 'Eski yetkilinin başvurusu' }, 'agentA1', acc.deniz);
      ok(await t.gql(Q.archiveContact, { id: contact }, admin));

      const before = await snapshot();
      const row = await appRow(app.id);
      const sr = await recorded(() => t.gql(Q.toServiceRequest, { a: app.id, k: `stale-${randomUUID()}` }, { as: 'agentA1' }));
      expectError(sr.result, 'BAD_USER_INPUT');
      // The number was drawn before the contact was checked; it is rolled back with the rest.
      expect(sr.sql.some((s) => s.includes('service_request_counters'))).toBe(true);
      expectError(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 10 }, k: `stale-${randomUUID()}` }, { as: 'agentA1' }), 'BAD_USER_INPUT');
      expect(await snapshot()).toEqual(before);
      expect(await appRow(app.id)).toEqual(row);
    });

    test('the same request with the same idempotency key returns the first result and writes once', async () => {
      const app = await newApp({ subject: 'Tekrar gönderilen istek' });
      const key = { sr: randomUUID(), opp: randomUUID(), task: randomUUID() };
      const before = await snapshot();

      const sr1 = ok(await t.gql(Q.toServiceRequest, { a: app.id, k: key.sr }, { as: 'agentA1' })).convertApplicationToServiceRequest;
      const sr2 = ok(await t.gql(Q.toServiceRequest, { a: app.id, k: key.sr }, { as: 'agentA1' })).convertApplicationToServiceRequest;
      expect(sr2).toEqual(sr1);

      const o1 = ok(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 750, currency: 'USD' }, k: key.opp }, { as: 'agentA1' })).convertApplicationToOpportunity;
      const o2 = ok(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 750, currency: 'USD' }, k: key.opp }, { as: 'agentA1' })).convertApplicationToOpportunity;
      expect(o2).toEqual(o1);

      const due = tomorrow();
      const t1 = ok(await t.gql(Q.addTask, { a: app.id, i: { title: 'Teklif hazırla', dueAt: due }, k: key.task }, { as: 'agentA1' })).addApplicationTask;
      const t2 = ok(await t.gql(Q.addTask, { a: app.id, i: { title: 'Teklif hazırla', dueAt: due }, k: key.task }, { as: 'agentA1' })).addApplicationTask;
      expect(t2).toEqual(t1);

      expect(await snapshot()).toEqual({
        ...before,
        service_requests: before.service_requests + 1,
        service_request_history: before.service_request_history + 1,
        service_request_numbers: before.service_request_numbers + 1,
        opportunities: before.opportunities + 1,
        tasks: before.tasks + 1,
        record_links: before.record_links + 3,
        application_history: before.application_history + 3,
        idempotency_keys: before.idempotency_keys + 3,
      });
      const links = await linksOf(app.id);
      expect([links.serviceRequests.length, links.opportunities.length, links.tasks.length]).toEqual([1, 1, 1]);

      // Keys belong to their user: agentA2's request with agentA1's key is a request of its own.
      const other = ok(await t.gql(Q.toServiceRequest, { a: app.id, k: key.sr }, { as: 'agentA2' })).convertApplicationToServiceRequest;
      expect(other.id).not.toBe(sr1.id);
      expect(other.createdBy).toEqual({ id: uid('agentA2') });
    });

    test('two concurrent requests with the same key create exactly one record', async () => {
      const app = await newApp({ subject: 'Çift tıklanan dönüştürme' });
      const before = await snapshot();
      const k = { sr: randomUUID(), opp: randomUUID(), task: randomUUID() };
      const due = tomorrow();
      const [a, b] = await Promise.all([
        t.gql(Q.toServiceRequest, { a: app.id, k: k.sr }, { as: 'agentA1' }),
        t.gql(Q.toServiceRequest, { a: app.id, k: k.sr }, { as: 'agentA1' }),
      ]);
      expect(ok(a).convertApplicationToServiceRequest.id).toBe(ok(b).convertApplicationToServiceRequest.id);
      const [c, d] = await Promise.all([
        t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 99.99 }, k: k.opp }, { as: 'agentA1' }),
        t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 99.99 }, k: k.opp }, { as: 'agentA1' }),
      ]);
      expect(ok(c).convertApplicationToOpportunity.id).toBe(ok(d).convertApplicationToOpportunity.id);
      const [e, f] = await Promise.all([
        t.gql(Q.addTask, { a: app.id, i: { title: 'Aynı anda', dueAt: due }, k: k.task }, { as: 'agentA1' }),
        t.gql(Q.addTask, { a: app.id, i: { title: 'Aynı anda', dueAt: due }, k: k.task }, { as: 'agentA1' }),
      ]);
      expect(ok(e).addApplicationTask.id).toBe(ok(f).addApplicationTask.id);

      expect(await snapshot()).toEqual({
        ...before,
        service_requests: before.service_requests + 1,
        service_request_history: before.service_request_history + 1,
        service_request_numbers: before.service_request_numbers + 1,
        opportunities: before.opportunities + 1,
        tasks: before.tasks + 1,
        record_links: before.record_links + 3,
        application_history: before.application_history + 3,
        idempotency_keys: before.idempotency_keys + 3,
      });
    });

    test('the same key for another operation (or another application) is refused on idempotencyKey and writes nothing', async () => {
      const app = await newApp({ subject: 'Anahtar yeniden kullanımı' });
      const other = await newApp({ subject: 'Başka başvuru' });
      const key = randomUUID();
      ok(await t.gql(Q.toServiceRequest, { a: app.id, k: key }, { as: 'agentA1' }));
      const before = await snapshot();
      expectError(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 5 }, k: key }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'idempotencyKey');
      expectError(await t.gql(Q.addTask, { a: app.id, i: { title: 'Yanlış anahtar', dueAt: tomorrow() }, k: key }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'idempotencyKey');
      expectError(await t.gql(Q.toServiceRequest, { a: other.id, k: key }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'idempotencyKey');
      // A key that is not one (too short, spaces) is refused before anything is written.
      expectError(await t.gql(Q.toServiceRequest, { a: other.id, k: 'kısa' }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'idempotencyKey');
      expectError(await t.gql(Q.addTask, { a: other.id, i: { title: 'Boşluklu anahtar', dueAt: tomorrow() }, k: 'bir iki üç dört' }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'idempotencyKey');
      expect(await snapshot()).toEqual(before);
    });
  });

  // ============================================================ 3. bad input

  describe('bad input is refused and nothing is written', () => {
    test('converting an archived application', async () => {
      const app = await newApp({ subject: 'Arşivlenecek başvuru' });
      ok(await t.gql(Q.archiveApplication, { id: app.id }, { as: 'admin' }));
      const before = await snapshot();
      for (const as of ['admin', 'agentA1'] as RoleName[]) {
        expectError(await t.gql(Q.toServiceRequest, { a: app.id }, { as }), 'BAD_USER_INPUT');
        expectError(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 10 } }, { as }), 'BAD_USER_INPUT');
        expectError(await t.gql(Q.addTask, { a: app.id, i: { title: 'Arşivde iş', dueAt: tomorrow() } }, { as }), 'BAD_USER_INPUT');
      }
      expect(await snapshot()).toEqual(before);
    });

    test('a negative amount, an unknown currency, a task due in the past', async () => {
      const app = await newApp({ subject: 'Hatalı girişler' });
      const before = await snapshot();
      expectError(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: -1 } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.expectedAmount');
      expectError(await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: -0.01 }, k: randomUUID() }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.expectedAmount');

      const currency = await t.gql(Q.toOpportunity, { a: app.id, i: { expectedAmount: 10, currency: 'XYZ' } }, { as: 'agentA1' });
      expect(currency.errors).toHaveLength(1);
      expect(codeOf(currency)).toBe('BAD_USER_INPUT');
      expect(currency.errors![0].message).toMatch(/currency/i);
      expect(currency.data ?? null).toBeNull();

      const past = new Date(Date.now() - 3_600_000).toISOString();
      expectError(await t.gql(Q.addTask, { a: app.id, i: { title: 'Dünkü iş', dueAt: past } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.dueAt');
      // With a key: the key written first is rolled back too, so a corrected retry may reuse it.
      const key = randomUUID();
      expectError(await t.gql(Q.addTask, { a: app.id, i: { title: 'Dünkü iş', dueAt: past }, k: key }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.dueAt');
      expect(await snapshot()).toEqual(before);
      const fixed = ok(await t.gql(Q.addTask, { a: app.id, i: { title: 'Yarınki iş', dueAt: tomorrow() }, k: key }, { as: 'agentA1' })).addApplicationTask;
      expect(fixed.title).toBe('Yarınki iş');
    });
  });

  // ============================================================ 4. documents

  describe('documents', () => {
    const NAME = 'Sözleşme ğüşİı.pdf'.normalize('NFC');
    const bytes = pdf('Sözleşme: İstanbul, 2026 — ğüşöçİı');
    let app: { id: string; number: string };
    let doc: { id: string; name: string; sha256: string; downloadUrl: string };

    beforeAll(async () => {
      app = await newApp({ subject: 'Sözleşme eki olan başvuru' });
    });

    test('agentA1 uploads a Turkish-named PDF onto the application: 201, listed, in the history, stored under a generated name', async () => {
      const before = await snapshot();
      const res = await upload(`/applications/${app.id}/documents`, 'agentA1', { data: bytes, filename: NAME, contentType: 'application/pdf' });
      expect(res.status).toBe(201);
      doc = res.json.data.document;
      expect(doc).toMatchObject({ name: NAME, fileName: NAME, mimeType: 'application/pdf', size: bytes.length, sha256: sha256(bytes), downloadUrl: `/documents/${doc.id}/content` });
      expect(await snapshot()).toEqual({ ...before, documents: before.documents + 1, record_links: before.record_links + 1, application_history: before.application_history + 1 });

      const links = await linksOf(app.id);
      expect(links.documents).toEqual([{ id: doc.id, item: { id: doc.id, name: NAME, sha256: sha256(bytes) } }]);
      expect((await historyOf(app.id)).filter((h) => h.field === 'document')).toEqual([{ field: 'document', oldValue: null, newValue: NAME, actor: { id: uid('agentA1') } }]);
      const d = ok(await t.gql(Q.document, { id: doc.id }, { as: 'agentA1' })).document;
      expect(d).toMatchObject({ name: NAME, fileName: NAME, size: bytes.length, uploadedBy: { id: uid('agentA1') } });

      // On disk: one file, under a generated name, holding exactly the bytes.
      const [row] = await t.sql('select storage_key, sha256, size from documents where id = $1', [doc.id]);
      expect(row.sha256).toBe(sha256(bytes));
      expect(Number(row.size)).toBe(bytes.length);
      const stored = walk(storage).filter((f) => path.basename(f) === row.storage_key);
      expect(stored).toHaveLength(1);
      expect(path.relative(storage, stored[0]).split(path.sep)[0]).not.toBe('tmp');
      expect(fs.readFileSync(stored[0]).equals(bytes)).toBe(true);
      for (const f of walk(storage)) {
        expect(f.normalize('NFC')).not.toContain('Sözleşme');
        expect(f).not.toMatch(/\.pdf$/i);
      }
      expect(walk(path.join(storage, 'tmp'))).toEqual([]);
    });

    test('download: same bytes for agentA1 and agentA2 with the UTF-8 file name, 404 for team B, 401 anonymous', async () => {
      for (const as of ['agentA1', 'agentA2', 'leaderA', 'admin'] as RoleName[]) {
        const res = await download(doc.id, as);
        expect({ as, status: res.status }).toEqual({ as, status: 200 });
        expect(res.bytes.equals(bytes)).toBe(true);
        expect(res.headers['content-type']).toMatch(/^application\/pdf/);
        const cd = res.headers['content-disposition'];
        expect(cd).toMatch(/^attachment;/);
        const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
        expect(star).not.toBeNull();
        expect(star![1]).toMatch(RFC8187_VALUE);
        expect(decodeURIComponent(star![1])).toBe(NAME);
        // The plain filename= for old clients is ASCII only.
        const plain = /filename="([^"]*)"/.exec(cd);
        expect(plain).not.toBeNull();
        expect(plain![1]).toMatch(/^[\x20-\x7e]+$/);
      }
      const b = await download(doc.id, 'agentB1');
      expect(b.status).toBe(404);
      expect(b.json.errors[0].extensions.code).toBe('NOT_FOUND');
      expect(b.bytes.includes(Buffer.from('%PDF-'))).toBe(false);
      const leaderB = await download(doc.id, 'leaderB');
      expect(leaderB.status).toBe(404);
      const anon = await download(doc.id, null);
      expect(anon.status).toBe(401);
      expect(anon.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(anon.bytes.includes(Buffer.from('%PDF-'))).toBe(false);
    });

    test("a Turkish name with an apostrophe and parentheses (Ali'nin dilekçesi (imzalı).pdf) comes back exact in a valid filename*", async () => {
      const name = "Ali'nin dilekçesi (imzalı).pdf";
      const data = pdf('dilekçe');
      const res = await upload('/documents', 'agentA1', { data, filename: name, contentType: 'application/pdf' });
      expect(res.status).toBe(201);
      expect(res.json.data.document.fileName).toBe(name);
      const dl = await download(res.json.data.document.id, 'agentA2');
      expect(dl.status).toBe(200);
      expect(dl.bytes.equals(data)).toBe(true);
      const cd = dl.headers['content-disposition'];
      const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
      expect(star).not.toBeNull();
      // RFC 8187 (and 5987): ' ( ) * are not attr-chars, so filename* must percent-encode them
      // (as express's own res.attachment() does); Turkish names often carry an apostrophe.
      expect({ header: cd, valid: RFC8187_VALUE.test(star![1]) }).toEqual({ header: cd, valid: true });
      expect(decodeURIComponent(star![1])).toBe(name);
    });

    test('the same bytes again have the same SHA-256, and documents(filter: { sha256 }) finds both copies', async () => {
      const res = await upload('/documents', 'agentA2', { data: bytes, filename: 'kopya.pdf', contentType: 'application/pdf' });
      expect(res.status).toBe(201);
      const copy = res.json.data.document;
      expect(copy.sha256).toBe(doc.sha256);
      expect(copy.id).not.toBe(doc.id);
      const [row] = await t.sql('select storage_key from documents where id = $1', [copy.id]);
      const [first] = await t.sql('select storage_key from documents where id = $1', [doc.id]);
      expect(row.storage_key).not.toBe(first.storage_key);
      for (const as of ['agentA1', 'agentA2'] as RoleName[]) {
        const found = ok(await t.gql(Q.documents, { f: { sha256: doc.sha256 } }, { as })).documents;
        expect(found.items.map((d: { id: string }) => d.id).sort()).toEqual([doc.id, copy.id].sort());
        // Upper case hex finds them too.
        const upper = ok(await t.gql(Q.documents, { f: { sha256: doc.sha256.toUpperCase() } }, { as })).documents;
        expect(upper.total).toBe(2);
      }
      // Team B finds no copy.
      expect(ok(await t.gql(Q.documents, { f: { sha256: doc.sha256 } }, { as: 'agentB1' })).documents).toEqual({ total: 0, items: [] });
    });

    test('an upload over DOCUMENT_MAX_BYTES: 413 PAYLOAD_TOO_LARGE, no file left (tmp/ included), no row, no link', async () => {
      const big = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(150_000, 0x41)]);
      const files = await settledFiles();
      const before = await snapshot();
      for (const pathname of ['/documents', `/applications/${app.id}/documents`]) {
        const res = await upload(pathname, 'agentA1', { data: big, filename: 'büyük.pdf', contentType: 'application/pdf' });
        expect({ pathname, status: res.status }).toEqual({ pathname, status: 413 });
        expect(res.json.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
        await expectStorage(files);
      }
      expect(await snapshot()).toEqual(before);
      // One byte over is over.
      const justOver = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100_001 - 9, 0x41)]);
      const over = await upload('/documents', 'agentA1', { data: justOver, filename: 'bir-fazla.pdf', contentType: 'application/pdf' });
      expect(over.status).toBe(413);
      await expectStorage(files);
      expect(await snapshot()).toEqual(before);
    });

    test('a file of exactly DOCUMENT_MAX_BYTES is not over the limit: accepted whole', async () => {
      const files = await settledFiles();
      const under = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(99_999 - 9, 0x41)]);
      const u = await upload('/documents', 'agentA1', { data: under, filename: 'sınırın-altında.pdf', contentType: 'application/pdf' });
      expect(u.status).toBe(201);
      const exact = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100_000 - 9, 0x41)]);
      const res = await upload('/documents', 'agentA1', { data: exact, filename: 'tam-sınırda.pdf', contentType: 'application/pdf' });
      try {
        expect({ status: res.status, code: res.json?.errors?.[0]?.extensions?.code }).toEqual({ status: 201, code: undefined });
        expect(res.json.data.document).toMatchObject({ size: 100_000, sha256: sha256(exact) });
        const back = await download(res.json.data.document.id, 'agentA1');
        expect(back.bytes.equals(exact)).toBe(true);
      } finally {
        // Whatever the outcome, leave no partial file for the next test to trip over.
        await settledFiles();
      }
      expect(walk(storage).length).toBeGreaterThanOrEqual(files.length + 1);
    });

    test('an empty file (400), a text file sent as PDF (415), a file name with a path (400): no file, no row', async () => {
      const files = await settledFiles();
      const before = await snapshot();
      const cases: { what: string; file: FilePart; status: number; code: string }[] = [
        { what: 'empty', file: { data: Buffer.alloc(0), filename: 'boş.pdf', contentType: 'application/pdf' }, status: 400, code: 'BAD_USER_INPUT' },
        { what: 'text as pdf', file: { data: Buffer.from('Bu bir PDF değil, düz metin.\n'), filename: 'sahte.pdf', contentType: 'application/pdf' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
        { what: '../../x.pdf', file: { data: pdf('yol'), filepath: '../../x.pdf', contentType: 'application/pdf' }, status: 400, code: 'BAD_USER_INPUT' },
        { what: 'a/b.pdf', file: { data: pdf('yol'), filepath: 'a/b.pdf', contentType: 'application/pdf' }, status: 400, code: 'BAD_USER_INPUT' },
      ];
      for (const c of cases) {
        for (const pathname of ['/documents', `/applications/${app.id}/documents`]) {
          const res = await upload(pathname, 'agentA1', c.file);
          expect({ what: c.what, pathname, status: res.status, code: res.json?.errors?.[0]?.extensions?.code }).toEqual({ what: c.what, pathname, status: c.status, code: c.code });
          await expectStorage(files);
        }
      }
      expect(await snapshot()).toEqual(before);
      // Nothing escaped the storage folder either.
      expect(fs.existsSync(path.join(dataDir, 'x.pdf'))).toBe(false);
      expect(fs.existsSync(path.join(path.dirname(dataDir), 'x.pdf'))).toBe(false);
    });

    test('uploading needs a signed-in user (and, onto an application, one who may update it)', async () => {
      const files = await settledFiles();
      const before = await snapshot();
      for (const pathname of ['/documents', `/applications/${app.id}/documents`]) {
        const anon = await upload(pathname, null, { data: pdf('anonim'), filename: 'anonim.pdf', contentType: 'application/pdf' });
        expect({ pathname, status: anon.status, code: anon.json?.errors?.[0]?.extensions?.code }).toEqual({ pathname, status: 401, code: 'UNAUTHENTICATED' });
      }
      const b = await upload(`/applications/${app.id}/documents`, 'agentB1', { data: pdf('takım b'), filename: 'takim-b.pdf', contentType: 'application/pdf' });
      expect(b.status).toBe(404);
      expect(b.json.errors[0].extensions.code).toBe('NOT_FOUND');
      await expectStorage(files);
      expect(await snapshot()).toEqual(before);
    });

    test('linking a document the user may not read: NOT_FOUND and nothing linked', async () => {
      // An application team B may work on (assigned to everyone), and team A's document.
      const everyone = await newApp({ subject: 'Herkese açık başvuru', assignee: { everyone: true } });
      const before = await snapshot();
      expectError(await t.gql(Q.linkDocument, { a: everyone.id, id: doc.id }, { as: 'agentB1' }), 'NOT_FOUND', 'documentId');
      expect(await snapshot()).toEqual(before);
      expect((await linksOf(everyone.id, 'admin')).documents).toEqual([]);
      // agentA1 may: linked once, listed on both applications' sides.
      ok(await t.gql(Q.linkDocument, { a: everyone.id, id: doc.id }, { as: 'agentA1' }));
      expect((await linksOf(everyone.id, 'agentA1')).documents).toEqual([{ id: doc.id, item: { id: doc.id, name: NAME, sha256: doc.sha256 } }]);
      ok(await t.gql(Q.unlinkDocument, { a: everyone.id, id: doc.id }, { as: 'agentA1' }));
      expect((await linksOf(everyone.id, 'agentA1')).documents).toEqual([]);
    });
  });

  // ============================================================ 5. the other team

  describe("another team's agent sees neither the records nor their contents", () => {
    const hidden = {} as { app: string; sr: string; srNumber: string; opp: string; task: string; doc: string; sha: string };
    const shared = {} as { app: string; sr: string; opp: string; task: string; doc: string; draft: string; published: string };

    beforeAll(async () => {
      // Team A's application, with everything turned out of it.
      const app = await newApp({ subject: 'Gizli müşteri arızası ZX-93', applicantId: acc.hidden.id, reporterId: acc.hidden.contact, subscriptionId: acc.hidden.sub }, 'agentA1', acc.hidden);
      hidden.app = app.id;
      const sr = ok(await t.gql(Q.toServiceRequest, { a: app.id }, { as: 'agentA1' })).convertApplicationToServiceRequest;
      hidden.sr = sr.id;
      hidden.srNumber = sr.number;
      hidden.opp = ok(await t.gql(Q.toOpportunity, { a: app.id, i: { title: 'Gizli fırsat ZX-93', expectedAmount: 48000, currency: 'TRY' } }, { as: 'agentA1' })).convertApplicationToOpportunity.id;
      hidden.task = ok(await t.gql(Q.addTask, { a: app.id, i: { title: 'Gizli iş ZX-93', dueAt: tomorrow() } }, { as: 'agentA1' })).addApplicationTask.id;
      const bytes = pdf('gizli ZX-93');
      const up = await upload(`/applications/${app.id}/documents`, 'agentA1', { data: bytes, filename: 'gizli-ZX-93.pdf', contentType: 'application/pdf' });
      expect(up.status).toBe(201);
      hidden.doc = up.json.data.document.id;
      hidden.sha = sha256(bytes);

      // An application assigned to everyone (team B may read it), linked to team A's records.
      const everyone = await newApp({ subject: 'Herkese atanmış başvuru', assignee: { everyone: true } });
      shared.app = everyone.id;
      shared.sr = ok(await t.gql(Q.toServiceRequest, { a: everyone.id, i: { assignee: { teamId: teamA() } } }, { as: 'agentA1' })).convertApplicationToServiceRequest.id;
      shared.opp = ok(await t.gql(Q.toOpportunity, { a: everyone.id, i: { title: 'Takım A fırsatı: kurumsal bakım sözleşmesi', expectedAmount: 1000 } }, { as: 'agentA1' })).convertApplicationToOpportunity.id;
      shared.task = ok(await t.gql(Q.addTask, { a: everyone.id, i: { title: 'Takım A işi', dueAt: tomorrow() } }, { as: 'agentA1' })).addApplicationTask.id;
      const up2 = await upload(`/applications/${everyone.id}/documents`, 'agentA1', { data: pdf('takım a'), filename: 'takim-a.pdf', contentType: 'application/pdf' });
      expect(up2.status).toBe(201);
      shared.doc = up2.json.data.document.id;
      // A draft article of team A's leader, and a published one.
      shared.draft = ok(await t.gql(Q.createContent, { i: { title: 'Taslak çözüm', body: 'Henüz yayımlanmadı.', published: false } }, { as: 'leaderA' })).createContent.id;
      shared.published = ok(await t.gql(Q.createContent, { i: { title: 'Yayımlanmış çözüm', body: 'Herkes okur.', published: true } }, { as: 'leaderA' })).createContent.id;
      ok(await t.gql(Q.linkContent, { a: everyone.id, id: shared.draft }, { as: 'leaderA' }));
      ok(await t.gql(Q.linkContent, { a: everyone.id, id: shared.published }, { as: 'leaderA' }));
    });

    test('by id: the application, service request, opportunity, task and document are NOT_FOUND for agentB1', async () => {
      // Team A reads them (the ids are right).
      ok(await t.gql(Q.serviceRequest, { id: hidden.sr }, { as: 'agentA1' }));
      ok(await t.gql(Q.opportunity, { id: hidden.opp }, { as: 'agentA1' }));
      ok(await t.gql(Q.task, { id: hidden.task }, { as: 'agentA1' }));
      ok(await t.gql(Q.document, { id: hidden.doc }, { as: 'agentA1' }));

      expectError(await t.gql(Q.application, { id: hidden.app }, { as: 'agentB1' }), 'NOT_FOUND');
      expectError(await t.gql(Q.serviceRequest, { id: hidden.sr }, { as: 'agentB1' }), 'NOT_FOUND');
      expectError(await t.gql(Q.opportunity, { id: hidden.opp }, { as: 'agentB1' }), 'NOT_FOUND');
      expectError(await t.gql(Q.task, { id: hidden.task }, { as: 'agentB1' }), 'NOT_FOUND');
      expectError(await t.gql(Q.document, { id: hidden.doc }, { as: 'agentB1' }), 'NOT_FOUND');
      // The file neither.
      const dl = await download(hidden.doc, 'agentB1');
      expect(dl.status).toBe(404);
      expect(dl.bytes.includes(Buffer.from('ZX-93'))).toBe(false);
    });

    test('in lists, searches and the applicant summary: none of them for agentB1', async () => {
      const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);
      const srs = ok(await t.gql(Q.serviceRequests, {}, { as: 'agentB1' })).serviceRequests;
      expect(ids(srs)).not.toContain(hidden.sr);
      expect(ids(srs)).not.toContain(shared.sr);
      expect(ok(await t.gql(Q.serviceRequests, { f: { search: hidden.srNumber } }, { as: 'agentB1' })).serviceRequests.total).toBe(0);
      expect(ok(await t.gql(Q.serviceRequests, { f: { search: 'ZX-93' } }, { as: 'agentB1' })).serviceRequests.total).toBe(0);
      expect(ok(await t.gql(Q.serviceRequests, { f: { search: 'ZX-93' } }, { as: 'agentA1' })).serviceRequests.total).toBe(1);

      const opps = ok(await t.gql(Q.opportunities, {}, { as: 'agentB1' })).opportunities;
      expect(ids(opps)).not.toContain(hidden.opp);
      expect(ids(opps)).not.toContain(shared.opp);
      expect(ok(await t.gql(Q.opportunities, { f: { search: 'ZX-93' } }, { as: 'agentB1' })).opportunities.total).toBe(0);

      const tasks = ok(await t.gql(Q.tasks, {}, { as: 'agentB1' })).tasks;
      expect(ids(tasks)).not.toContain(hidden.task);
      expect(ids(tasks)).not.toContain(shared.task);
      expect(ok(await t.gql(Q.tasks, { f: { search: 'ZX-93' } }, { as: 'agentB1' })).tasks.total).toBe(0);

      const docs = ok(await t.gql(Q.documents, {}, { as: 'agentB1' })).documents;
      expect(ids(docs)).not.toContain(hidden.doc);
      expect(ids(docs)).not.toContain(shared.doc);
      expect(ok(await t.gql(Q.documents, { f: { sha256: hidden.sha } }, { as: 'agentB1' })).documents.total).toBe(0);
      expect(ok(await t.gql(Q.documents, { f: { search: 'ZX-93' } }, { as: 'agentB1' })).documents.total).toBe(0);

      // The customer is shared, team A's open work on it is not.
      const forB = ok(await t.gql(Q.account, { id: acc.hidden.id }, { as: 'agentB1' })).account;
      expect(forB).toEqual({ id: acc.hidden.id, openServiceRequestCount: 0, openOpportunities: [] });
      const forA = ok(await t.gql(Q.account, { id: acc.hidden.id }, { as: 'agentA1' })).account;
      expect(forA.openServiceRequestCount).toBe(1);
      expect(forA.openOpportunities.map((o: { id: string }) => o.id)).toEqual([hidden.opp]);
    });

    test("on an application agentB1 may read, team A's linked records show their id and a null item", async () => {
      const forB = await linksOf(shared.app, 'agentB1');
      expect(forB.serviceRequests).toEqual([{ id: shared.sr, item: null }]);
      expect(forB.opportunities).toEqual([{ id: shared.opp, item: null }]);
      expect(forB.tasks).toEqual([{ id: shared.task, item: null }]);
      expect(forB.documents).toEqual([{ id: shared.doc, item: null }]);
      expect(forB.contents).toEqual([
        { id: shared.draft, item: null },
        { id: shared.published, item: { id: shared.published, title: 'Yayımlanmış çözüm' } },
      ]);
      // The same application for agentA1: every item is there.
      const forA = await linksOf(shared.app, 'agentA1');
      expect(forA.serviceRequests).toEqual([{ id: shared.sr, item: { id: shared.sr, number: expect.any(String) } }]);
      expect(forA.opportunities[0].item).not.toBeNull();
      expect(forA.tasks[0].item).not.toBeNull();
      expect(forA.documents[0].item).not.toBeNull();
      // (agentA1 may not read leaderA's draft either.)
      expect(forA.contents.map((c: { item: unknown }) => c.item !== null)).toEqual([false, true]);
      expect((await linksOf(shared.app, 'leaderA')).contents.map((c: { item: unknown }) => c.item !== null)).toEqual([true, true]);

      // The other way round: a service request team B may read (assigned to everyone) that came
      // from team A's application shows the application's id, not the application.
      const teamAApp = await newApp({ subject: 'Takım A başvurusu, herkese açık servis', applicantId: acc.deniz.id, reporterId: acc.deniz.contact, subscriptionId: acc.deniz.sub }, 'agentA1', acc.deniz);
      const open = ok(await t.gql(Q.toServiceRequest, { a: teamAApp.id, i: { assignee: { everyone: true } } }, { as: 'agentA1' })).convertApplicationToServiceRequest;
      const srForB = ok(await t.gql(Q.serviceRequest, { id: open.id }, { as: 'agentB1' })).serviceRequest;
      expect(srForB.applications).toEqual([{ id: teamAApp.id, item: null }]);
      const srForA = ok(await t.gql(Q.serviceRequest, { id: open.id }, { as: 'agentA1' })).serviceRequest;
      expect(srForA.applications).toEqual([{ id: teamAApp.id, item: { id: teamAApp.id, number: teamAApp.number } }]);
    });

    test("the history of an application agentB1 may read does not give away what team A's hidden records are", async () => {
      const hiddenLabels = ['Takım A işi', 'Takım A fırsatı: kurumsal bakım sözleşmesi', 'takim-a.pdf', 'Taslak çözüm'];
      const valuesOf = (h: { oldValue: string | null; newValue: string | null }[]) => h.flatMap((e) => [e.oldValue, e.newValue]).filter((v): v is string => v !== null);
      // Team A sees them (the labels are the right ones).
      const forA = valuesOf(await historyOf(shared.app, 'leaderA'));
      for (const label of hiddenLabels) expect(forA).toContain(label);
      // agentB1 reads the application (item null for each of those records) …
      const viaField = valuesOf(await historyOf(shared.app, 'agentB1'));
      const viaQuery = valuesOf(ok(await t.gql('query($id: ID!) { applicationHistory(id: $id) { field oldValue newValue } }', { id: shared.app }, { as: 'agentB1' })).applicationHistory);
      // … and must not read their titles and names in the history either.
      expect({ viaField: hiddenLabels.filter((l) => viaField.includes(l)), viaQuery: hiddenLabels.filter((l) => viaQuery.includes(l)) }).toEqual({ viaField: [], viaQuery: [] });
    });
  });

  // ============================================================ 6. statement count of the detail view

  describe('the detail query runs the same number of SQL statements for 1 and for 5 links of each kind', () => {
    let counting = false;
    let statements: string[] = [];
    const onQuery = (q: { sql?: string }) => {
      if (counting) statements.push(String(q.sql ?? ''));
    };
    const knexOf = () => (t.app.services.orm.em as unknown as SqlEntityManager).getConnection().getKnex();
    const measured: Record<string, number> = {};
    const apps = {} as Record<'few' | 'many', string>;

    async function measure(label: string, id: string, as: RoleName) {
      // Sessions slide their idle expiry at most once a minute (one extra UPDATE): keep them fresh.
      await t.sql('update sessions set last_seen_at = now()');
      statements = [];
      counting = true;
      let res;
      try {
        res = await t.gql(DETAIL, { id }, { as });
      } finally {
        counting = false;
      }
      expect(res.errors).toBeUndefined();
      measured[label] = statements.length;
      return { count: statements.length, sql: [...statements], data: res.data.application };
    }

    beforeAll(async () => {
      const build = async (n: number, account: typeof acc.few) => {
        const app = await newApp({ subject: `Ayrıntı: ${n} bağlantı`, applicantId: account.id, reporterId: account.contact, subscriptionId: account.sub }, 'agentA1', account);
        for (let i = 0; i < n; i++) {
          ok(await t.gql(Q.toServiceRequest, { a: app.id, i: { subject: `Servis ${i + 1}` } }, { as: 'agentA1' }));
          ok(await t.gql(Q.toOpportunity, { a: app.id, i: { title: `Fırsat ${i + 1}`, expectedAmount: 1000 * (i + 1), currency: i % 2 ? 'EUR' : 'TRY' } }, { as: 'agentA1' }));
          ok(await t.gql(Q.addTask, { a: app.id, i: { title: `İş ${i + 1}`, dueAt: tomorrow() } }, { as: 'agentA1' }));
          const up = await upload(`/applications/${app.id}/documents`, 'agentA1', { data: pdf(`ek ${n}-${i}`), filename: `ek-${i + 1}.pdf`, contentType: 'application/pdf' });
          expect(up.status).toBe(201);
          const content = ok(await t.gql(Q.createContent, { i: { title: `Çözüm ${n}-${i + 1}`, body: 'Adım adım.', published: true } }, { as: 'admin' })).createContent.id;
          ok(await t.gql(Q.linkContent, { a: app.id, id: content }, { as: 'agentA1' }));
          ok(await t.gql(Q.addFollowUp, { a: app.id, i: { text: `Takip ${i + 1}` } }, { as: 'agentA1' }));
          ok(await t.gql(Q.addTime, { a: app.id, i: { minutes: 5 + i } }, { as: 'agentA1' }));
        }
        return app.id;
      };
      apps.few = await build(1, acc.few);
      apps.many = await build(5, acc.many);
      knexOf().on('query', onQuery);
      // Warm up (first requests compile and cache things); not measured.
      await t.gql(DETAIL, { id: apps.few }, { as: 'admin' });
    });

    afterAll(() => {
      knexOf().removeListener('query', onQuery);
      console.log(`SQL statements of the application detail query:\n${Object.entries(measured).map(([k, v]) => `  ${k.padEnd(30)} ${v}`).join('\n')}`);
    });

    for (const as of ['admin', 'agentA1', 'agentA2'] as RoleName[]) {
      test(`as ${as}`, async () => {
        const few = await measure(`${as}, 1 of each`, apps.few, as);
        const many = await measure(`${as}, 5 of each`, apps.many, as);
        // Everything is there.
        for (const [r, n] of [
          [few, 1],
          [many, 5],
        ] as const) {
          const a = r.data;
          expect([a.serviceRequests.length, a.opportunities.length, a.tasks.length, a.documents.length, a.contents.length, a.followUps.length, a.timeEntries.length]).toEqual([n, n, n, n, n, n, n]);
          for (const l of a.serviceRequests) expect(l.item).toEqual({ number: expect.stringMatching(/^SR-/), stage: { name: 'Yeni' } });
          for (const l of a.documents) expect(l.item).toEqual({ name: expect.stringMatching(/^ek-\d\.pdf$/), size: expect.any(Number) });
          for (const l of a.contents) expect(l.item).not.toBeNull();
          // Opportunities and tasks are agentA1's own: agentA2 sees that they exist, not what they are.
          const ownVisible = as !== 'agentA2';
          for (const l of [...a.opportunities, ...a.tasks]) expect(l.item !== null).toBe(ownVisible);
          expect(a.applicant.subscriptions).toHaveLength(1);
          expect(a.applicant.openServiceRequestCount).toBe(n);
          expect(a.applicant.openOpportunities).toHaveLength(ownVisible ? n : 0);
          expect(a.applicant.openApplicationCount).toBe(1);
          expect(a.applicant.timeSpentMinutes).toBe(Array.from({ length: n }, (_, i) => 5 + i).reduce((x, y) => x + y, 0));
        }
        expect(few.count).toBeGreaterThan(0);
        expect({ statements: many.count, sql: many.count === few.count ? [] : many.sql }).toEqual({ statements: few.count, sql: [] });
      });
    }
  });
});
