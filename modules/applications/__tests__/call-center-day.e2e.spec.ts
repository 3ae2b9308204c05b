import type { Client } from 'graphql-ws';
import { codeOf, sleep, startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';

/**
 * A call center's day, through the API only: the administrator sets up the classification
 * tree, stage transitions, extra fields, a customer with a contact, a subscription and a
 * region; an agent records a phone call as an application, follows it up, logs time, finds
 * similar applications and moves it through its stages; the team leader reassigns it; the
 * other team never sees it (not by id, not in lists, counts, totals, similar applications or
 * events); stale and bad writes change nothing; the history shows every change; lists
 * filter, search, sort and page; new applications reach the team live.
 *
 * The tests run in order and build on each other, as the day does.
 */

// ---------------------------------------------------------------- operations

const APP_FIELDS = `
  id number version subject detail extra closedAt followUpCount timeSpentMinutes applicationDate assigneeEveryone
  stage { id name isInitial closed }
  priority { id name isDefault sortOrder }
  channel { id code }
  responsible { id name }
  createdBy { id name }
  assigneeUser { id name }
  assigneeTeam { id name }
  applicant { id name }
  reporter { id fullName }
  subscription { id number }
  project { id name }
  category { id name level }
  subcategory { id name level }
  treeCategory { id name level }
`;

const Q = {
  createCategory: 'mutation($i: CreateCategoryInput!) { createCategory(input: $i) { id name level parent { id } path { name } } }',
  category: 'query($id: ID!) { category(id: $id) { id name children { id name level } } }',
  stages: '{ processStages(page: { limit: 100 }) { items { id name version isInitial closed allowedNext { id } } } }',
  stage: 'query($id: ID!) { processStage(id: $id) { id name version allowedNext { id name } } }',
  updateStage: 'mutation($id: ID!, $v: Int!, $i: UpdateProcessStageInput!) { updateProcessStage(id: $id, version: $v, input: $i) { id version allowedNext { id name } } }',
  createExtraField: 'mutation($i: CreateExtraFieldInput!) { createExtraField(input: $i) { id key type required categoryIds target } }',
  createRegion: 'mutation($i: CreateRegionInput!) { createRegion(input: $i) { id name responsible { id } } }',
  createAccount: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id name kind phones region { id responsible { id } } } }',
  createContact: 'mutation($i: CreateContactInput!) { createContact(input: $i) { id fullName account { id } } }',
  createSubscription: 'mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { id number account { id } } }',
  createProject: 'mutation($i: CreateProjectInput!) { createProject(input: $i) { id name } }',
  channels: '{ contactChannels(page: { limit: 100 }) { items { id code isDefault } } }',
  priorities: '{ priorities(page: { limit: 100 }) { items { id name isDefault sortOrder } } }',
  accountsByPhone: 'query($p: String!) { accounts(filter: { phone: $p }) { total items { id name contacts { id fullName } subscriptions { id number } } } }',
  createApplication: `mutation($i: CreateApplicationInput!) { createApplication(input: $i) { ${APP_FIELDS} } }`,
  updateApplication: `mutation($id: ID!, $v: Int!, $i: UpdateApplicationInput!) { updateApplication(id: $id, version: $v, input: $i) { ${APP_FIELDS} } }`,
  application: `query($id: ID!) { application(id: $id) { ${APP_FIELDS} } }`,
  appWithChildren: `query($id: ID!) { application(id: $id) { id version followUpCount timeSpentMinutes
      followUps { id text notedAt author { id } applicationId }
      timeEntries { id minutes date note user { id } applicationId } } }`,
  addFollowUp: 'mutation($a: ID!, $i: FollowUpInput!) { addFollowUp(applicationId: $a, input: $i) { id text notedAt author { id } applicationId } }',
  addTime: 'mutation($a: ID!, $i: TimeEntryInput!) { addTimeEntry(applicationId: $a, input: $i) { id minutes date note user { id } applicationId } }',
  accountTime: 'query($id: ID!) { account(id: $id) { id timeSpentMinutes } }',
  subscriptionTime: 'query($id: ID!) { subscription(id: $id) { id timeSpentMinutes } }',
  projectTime: 'query($id: ID!) { project(id: $id) { id timeSpentMinutes } }',
  similar: 'query($id: ID!) { similarApplications(id: $id) { similarity application { id subject } } }',
  changeStage: 'mutation($id: ID!, $v: Int!, $s: ID!, $n: String) { changeApplicationStage(id: $id, version: $v, stageId: $s, note: $n) { id version closedAt followUpCount stage { id name closed } } }',
  assign: 'mutation($id: ID!, $v: Int!, $i: AssigneeInput!) { assignApplication(id: $id, version: $v, input: $i) { id version assigneeEveryone assigneeUser { id } assigneeTeam { id } } }',
  list: `query($f: ApplicationFilter, $s: [ApplicationSort!], $p: PageInput) { applications(filter: $f, sort: $s, page: $p) {
      total totalExact pageInfo { hasNextPage endCursor }
      items { id number subject applicationDate closedAt priority { id name sortOrder } stage { id name } } } }`,
  history: 'query($id: ID!) { applicationHistory(id: $id) { id at field oldValue newValue actor { id name } } }',
  historyField: 'query($id: ID!) { application(id: $id) { id history { id at field oldValue newValue actor { id name } } } }',
};

const APPLICATION_CHANGED = 'subscription { applicationChanged { kind application { id number } } }';

// ---------------------------------------------------------------- helpers

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  expect(res.status).toBe(200);
  return res.data as T;
}

function expectError(res: GqlResult, code: string, field?: string) {
  expect(res.errors).toBeDefined();
  expect(res.errors).toHaveLength(1);
  const got = { code: codeOf(res), field: res.errors![0].extensions?.field };
  expect(got).toEqual({ code, field });
  expect(res.data ?? null).toBeNull();
}

const sortedIds = (ids: (string | number)[]) => ids.map(String).sort((a, b) => Number(a) - Number(b));

interface AppEvent {
  kind: string;
  application: { id: string; number: string };
}

/** Every event of one applicationChanged subscription, in arrival order. */
class Recorder {
  readonly events: AppEvent[] = [];
  readonly errors: unknown[] = [];
  readonly dispose: () => void;

  constructor(
    readonly label: string,
    client: Client,
  ) {
    this.dispose = client.subscribe<{ applicationChanged: AppEvent }>(
      { query: APPLICATION_CHANGED },
      {
        next: (v) => {
          if (v.errors?.length) this.errors.push(v.errors);
          else if (v.data?.applicationChanged) this.events.push(v.data.applicationChanged);
        },
        error: (e) => this.errors.push(e),
        complete: () => undefined,
      },
    );
  }

  about(id: string): AppEvent[] {
    return this.events.filter((e) => e.application.id === id);
  }

  async waitFor(pred: (e: AppEvent) => boolean, what: string, from = 0, ms = 10_000): Promise<AppEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.slice(from).find(pred);
      if (found) return found;
      if (this.errors.length) throw new Error(`${this.label}: subscription failed: ${JSON.stringify(this.errors)}`);
      if (Date.now() > deadline) throw new Error(`${this.label}: no event ${what} within ${ms} ms; got ${JSON.stringify(this.events.slice(from))}`);
      await sleep(20);
    }
  }
}

interface ExpectedHistory {
  field: string;
  actor: RoleName;
  oldValue?: string | null;
  newValue?: string | null;
}

// ---------------------------------------------------------------- the day

describe('a call center day', () => {
  let t: TestApp;

  const uid = (r: RoleName) => String(t.world.users[r].id);
  const teamA = () => String(t.world.teams.A);
  const teamB = () => String(t.world.teams.B);

  // Reference data, filled in by the administrator's set-up.
  const cat = {} as Record<'sikayet' | 'fatura' | 'yuksek' | 'teslimat' | 'gec' | 'talep' | 'bilgi', string>;
  const stage = {} as Record<'acik' | 'talepAlindi' | 'islemde' | 'bilgiVerildi' | 'cozuldu' | 'kapatildi', string>;
  const channel: Record<string, string> = {};
  const priority: Record<string, { id: string; sortOrder: number; isDefault: boolean }> = {};
  let regionId: string;
  let isik: string; // Işık Elektrik A.Ş.
  let deniz: string; // another customer
  let isikContact: string;
  let denizContact: string;
  let isikSub: string;
  let denizSub: string;
  let projectId: string;

  // Applications of the day.
  let main: { id: string; number: string; version: number };
  let sim1: string;
  let sim2: string;
  let unrelated: string;
  let bApp: string;
  let talepApp: string;
  let todayOfTime: string;
  let closedAtWhenSolved: string;
  const history: ExpectedHistory[] = [];

  const versionOf = async (id: string) => (await t.sql<{ version: number }>('select version from applications where id = $1', [id]))[0].version;
  const rowOf = async (id: string) => (await t.sql('select * from applications where id = $1', [id]))[0];
  const historyCount = async (id: string) => (await t.sql<{ n: number }>('select count(*)::int as n from application_history where application_id = $1', [id]))[0].n;
  /** Rows that any write of an application touches. */
  const counts = async () =>
    (
      await t.sql(`select (select count(*) from applications)::int as applications,
                          (select count(*) from application_history)::int as history,
                          (select count(*) from follow_ups)::int as follow_ups,
                          (select count(*) from time_entries)::int as time_entries`)
    )[0];
  /** The application number counters (year → last number handed out). */
  const counters = async () => Object.fromEntries((await t.sql<{ year: number; last: number }>('select year, last from application_counters')).map((r) => [r.year, r.last]));

  /** A valid application input of Işık Elektrik in Şikâyet > Fatura, for variations. */
  const faturaInput = (over: Record<string, unknown> = {}) => ({
    applicantId: isik,
    reporterId: isikContact,
    categoryId: cat.sikayet,
    subcategoryId: cat.fatura,
    subscriptionId: isikSub,
    channelId: channel.phone,
    assignee: { teamId: teamA() },
    extra: { siparis_no: 'A-99' },
    subject: 'Fatura itirazı',
    ...over,
  });

  async function addFollowUp(appId: string, text: string, as: RoleName, notedAt?: string) {
    const res = await t.gql(Q.addFollowUp, { a: appId, i: { text, ...(notedAt ? { notedAt } : {}) } }, { as });
    const f = ok(res).addFollowUp;
    if (appId === main?.id) history.push({ field: 'followUp', actor: as, oldValue: null, newValue: text });
    return f as { id: string; text: string; notedAt: string; author: { id: string } | null; applicationId: string };
  }

  async function move(appId: string, to: string, as: RoleName, note?: string) {
    const res = await t.gql(Q.changeStage, { id: appId, v: await versionOf(appId), s: to, n: note }, { as });
    return ok(res).changeApplicationStage;
  }

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  // ------------------------------------------------------------ 1. set-up

  describe('1. the administrator sets up', () => {
    test('a category tree: Şikâyet > Fatura > Yüksek fatura, a second branch and a second category', async () => {
      const create = async (name: string, parentId?: string) => ok(await t.gql(Q.createCategory, { i: { name, parentId } }, { as: 'admin' })).createCategory;
      const sikayet = await create('Şikâyet');
      const fatura = await create('Fatura', sikayet.id);
      const yuksek = await create('Yüksek fatura', fatura.id);
      const teslimat = await create('Teslimat', sikayet.id);
      const gec = await create('Geç teslimat', teslimat.id);
      const talep = await create('Talep');
      const bilgi = await create('Bilgi talebi', talep.id);
      Object.assign(cat, { sikayet: sikayet.id, fatura: fatura.id, yuksek: yuksek.id, teslimat: teslimat.id, gec: gec.id, talep: talep.id, bilgi: bilgi.id });

      expect([sikayet.level, fatura.level, yuksek.level, gec.level, bilgi.level]).toEqual([1, 2, 3, 3, 2]);
      expect(yuksek.parent.id).toBe(fatura.id);
      expect(yuksek.path.map((c: { name: string }) => c.name)).toEqual(['Şikâyet', 'Fatura', 'Yüksek fatura']);
      const tree = ok(await t.gql(Q.category, { id: sikayet.id }, { as: 'agentA1' })).category;
      expect(tree.children.map((c: { name: string }) => c.name).sort()).toEqual(['Fatura', 'Teslimat']);

      // The same name twice under one parent is refused.
      const dup = await t.gql(Q.createCategory, { i: { name: 'Fatura', parentId: sikayet.id } }, { as: 'admin' });
      expectError(dup, 'BAD_USER_INPUT', 'input.name');
      // Agents use the tree, they do not change it.
      expectError(await t.gql(Q.createCategory, { i: { name: 'Öneri' } }, { as: 'agentA1' }), 'FORBIDDEN');
    });

    test('stage transitions: Açık → İşlemde | Talep alındı, İşlemde → Çözüldü | Bilgi verildi, Çözüldü → İşlemde', async () => {
      const items = ok(await t.gql(Q.stages, {}, { as: 'admin' })).processStages.items as { id: string; name: string; version: number; isInitial: boolean; closed: boolean; allowedNext: unknown[] }[];
      const byName = Object.fromEntries(items.map((s) => [s.name, s]));
      expect(Object.keys(byName).sort()).toEqual(['Açık', 'Bilgi verildi', 'Kapatıldı', 'Talep alındı', 'Çözüldü', 'İşlemde'].sort());
      expect(items.filter((s) => s.isInitial).map((s) => s.name)).toEqual(['Açık']);
      expect(items.filter((s) => s.closed).map((s) => s.name).sort()).toEqual(['Kapatıldı', 'Çözüldü']);
      Object.assign(stage, {
        acik: byName['Açık'].id,
        talepAlindi: byName['Talep alındı'].id,
        islemde: byName['İşlemde'].id,
        bilgiVerildi: byName['Bilgi verildi'].id,
        cozuldu: byName['Çözüldü'].id,
        kapatildi: byName['Kapatıldı'].id,
      });

      const set = async (id: string, next: string[]) => {
        const v = items.find((s) => s.id === id)!.version;
        return ok(await t.gql(Q.updateStage, { id, v, i: { allowedNextStageIds: next } }, { as: 'admin' })).updateProcessStage;
      };
      await set(stage.acik, [stage.islemde, stage.talepAlindi]);
      await set(stage.islemde, [stage.cozuldu, stage.bilgiVerildi]);
      await set(stage.cozuldu, [stage.islemde]);

      const next = async (id: string) => ok(await t.gql(Q.stage, { id }, { as: 'agentA1' })).processStage.allowedNext.map((s: { name: string }) => s.name).sort();
      expect(await next(stage.acik)).toEqual(['Talep alındı', 'İşlemde'].sort());
      expect(await next(stage.islemde)).toEqual(['Bilgi verildi', 'Çözüldü'].sort());
      expect(await next(stage.cozuldu)).toEqual(['İşlemde']);

      // A stage cannot list itself, and an agent cannot change the transitions; neither writes.
      const before = await t.sql('select * from process_stage_transitions order by from_stage_id, to_stage_id');
      const current = ok(await t.gql(Q.stage, { id: stage.islemde }, { as: 'admin' })).processStage;
      expectError(await t.gql(Q.updateStage, { id: stage.islemde, v: current.version, i: { allowedNextStageIds: [stage.islemde] } }, { as: 'admin' }), 'BAD_USER_INPUT', 'input.allowedNextStageIds');
      expectError(await t.gql(Q.updateStage, { id: stage.islemde, v: current.version, i: { allowedNextStageIds: [] } }, { as: 'agentA1' }), 'FORBIDDEN');
      expectError(await t.gql(Q.updateStage, { id: stage.islemde, v: current.version, i: { closed: null } }, { as: 'admin' }), 'BAD_USER_INPUT', 'input.closed');
      expect(await t.sql('select * from process_stage_transitions order by from_stage_id, to_stage_id')).toEqual(before);
    });

    test('extra fields: siparis_no (TEXT, required, only under Fatura) and tutar (NUMBER, everywhere)', async () => {
      const siparis = ok(
        await t.gql(Q.createExtraField, { i: { target: 'APPLICATION', key: 'siparis_no', label: 'Sipariş no', type: 'TEXT', required: true, categoryIds: [cat.fatura] } }, { as: 'admin' }),
      ).createExtraField;
      expect(siparis).toMatchObject({ key: 'siparis_no', type: 'TEXT', required: true, target: 'APPLICATION', categoryIds: [cat.fatura] });
      const tutar = ok(await t.gql(Q.createExtraField, { i: { target: 'APPLICATION', key: 'tutar', label: 'Fatura tutarı (TL)', type: 'NUMBER' } }, { as: 'admin' })).createExtraField;
      expect(tutar).toMatchObject({ key: 'tutar', type: 'NUMBER', required: false, categoryIds: [] });
      // The key is unique per target.
      expectError(await t.gql(Q.createExtraField, { i: { target: 'APPLICATION', key: 'tutar', label: 'Tekrar', type: 'TEXT' } }, { as: 'admin' }), 'BAD_USER_INPUT', 'input.key');
    });

    test('a region with leaderA responsible, the customer Işık Elektrik A.Ş. in it, a contact, a subscription, a project', async () => {
      const region = ok(await t.gql(Q.createRegion, { i: { name: 'Marmara Bölgesi', responsibleId: uid('leaderA') } }, { as: 'admin' })).createRegion;
      expect(region.responsible.id).toBe(uid('leaderA'));
      regionId = region.id;

      const account = ok(
        await t.gql(
          Q.createAccount,
          { i: { kind: 'COMPANY', name: 'Işık Elektrik A.Ş.', taxNumber: '4650012345', phones: ['+90 212 555 01 02', '0532 111 22 33'], city: 'İstanbul', regionId } },
          { as: 'admin' },
        ),
      ).createAccount;
      expect(account).toMatchObject({ name: 'Işık Elektrik A.Ş.', kind: 'COMPANY', phones: ['+90 212 555 01 02', '0532 111 22 33'], region: { id: regionId, responsible: { id: uid('leaderA') } } });
      isik = account.id;
      deniz = ok(await t.gql(Q.createAccount, { i: { kind: 'COMPANY', name: 'Deniz Gıda Ltd. Şti.', phones: ['0216 444 33 22'] } }, { as: 'admin' })).createAccount.id;

      const contact = ok(await t.gql(Q.createContact, { i: { accountId: isik, firstName: 'Şule', lastName: 'Öztürk', title: 'Muhasebe müdürü', phone: '0532 111 22 33' } }, { as: 'admin' })).createContact;
      expect(contact).toMatchObject({ fullName: 'Şule Öztürk', account: { id: isik } });
      isikContact = contact.id;
      denizContact = ok(await t.gql(Q.createContact, { i: { accountId: deniz, firstName: 'Mehmet', lastName: 'Çelik' } }, { as: 'admin' })).createContact.id;

      const sub = ok(await t.gql(Q.createSubscription, { i: { accountId: isik, number: 'ABN-1001', name: 'Merkez ofis' } }, { as: 'admin' })).createSubscription;
      expect(sub).toMatchObject({ number: 'ABN-1001', account: { id: isik } });
      isikSub = sub.id;
      denizSub = ok(await t.gql(Q.createSubscription, { i: { accountId: deniz, number: 'ABN-2001' } }, { as: 'admin' })).createSubscription.id;

      projectId = ok(await t.gql(Q.createProject, { i: { name: 'Kurumsal Müşteri Desteği', code: 'KMD' } }, { as: 'admin' })).createProject.id;

      for (const c of ok(await t.gql(Q.channels, {}, { as: 'agentA1' })).contactChannels.items) channel[c.code] = c.id;
      expect(Object.keys(channel).sort()).toEqual(['chat', 'email', 'phone', 'sms', 'social', 'walk_in', 'web_form']);
      for (const p of ok(await t.gql(Q.priorities, {}, { as: 'agentA1' })).priorities.items) priority[p.name] = { id: p.id, sortOrder: p.sortOrder, isDefault: p.isDefault };
      expect(Object.keys(priority).sort()).toEqual(['Acil', 'Düşük', 'Normal', 'Yüksek']);
      expect(Object.entries(priority).filter(([, p]) => p.isDefault).map(([n]) => n)).toEqual(['Normal']);
    });
  });

  // ------------------------------------------------------------ 2. a phone call

  describe('2. agentA1 records a phone call', () => {
    test('recognises the caller by phone number and sees the contact and the subscription', async () => {
      const found = ok(await t.gql(Q.accountsByPhone, { p: '0 (532) 111 22 33' }, { as: 'agentA1' })).accounts;
      expect(found.total).toBe(1);
      expect(found.items[0]).toMatchObject({ id: isik, name: 'Işık Elektrik A.Ş.', contacts: [{ id: isikContact, fullName: 'Şule Öztürk' }], subscriptions: [{ id: isikSub, number: 'ABN-1001' }] });
    });

    test('creates the application: numbered, initial stage, responsible from the region, default priority, created by agentA1', async () => {
      const before = await counts();
      const res = await t.gql(
        Q.createApplication,
        {
          i: {
            applicantId: isik,
            reporterId: isikContact,
            categoryId: cat.sikayet,
            subcategoryId: cat.fatura,
            treeCategoryId: cat.yuksek,
            subscriptionId: isikSub,
            projectId,
            channelId: channel.phone,
            assignee: { teamId: teamA() },
            extra: { siparis_no: 'A-1', tutar: 1250.5 },
            subject: 'Fatura tutarı çok yüksek geldi',
            detail: 'Müşteri şubat ayı elektrik faturasının geçen aya göre üç kat yüksek geldiğini söylüyor. Sayaç okuması istendi.',
          },
        },
        { as: 'agentA1' },
      );
      const app = ok(res).createApplication;
      expect(app.number).toMatch(/^\d{4}-\d{6}$/);
      expect(app.number.slice(0, 4)).toBe(String(new Date(app.applicationDate).getUTCFullYear()));
      expect(app.stage).toMatchObject({ id: stage.acik, name: 'Açık', isInitial: true, closed: false });
      expect(app.responsible).toEqual({ id: uid('leaderA'), name: 'Ayşe Lider' });
      expect(app.priority).toMatchObject({ name: 'Normal', isDefault: true });
      expect(app.createdBy).toEqual({ id: uid('agentA1'), name: 'Ali Temsilci' });
      expect(app).toMatchObject({
        subject: 'Fatura tutarı çok yüksek geldi',
        extra: { siparis_no: 'A-1', tutar: 1250.5 },
        closedAt: null,
        followUpCount: 0,
        timeSpentMinutes: 0,
        assigneeEveryone: false,
        assigneeUser: null,
        assigneeTeam: { id: teamA(), name: 'Takım A' },
        channel: { code: 'phone' },
        applicant: { id: isik, name: 'Işık Elektrik A.Ş.' },
        reporter: { id: isikContact, fullName: 'Şule Öztürk' },
        subscription: { id: isikSub, number: 'ABN-1001' },
        project: { id: projectId },
        category: { id: cat.sikayet, level: 1 },
        subcategory: { id: cat.fatura, level: 2 },
        treeCategory: { id: cat.yuksek, level: 3 },
      });
      main = { id: app.id, number: app.number, version: app.version };
      history.push({ field: 'created', actor: 'agentA1', oldValue: null, newValue: app.number });

      // What was stored, and exactly one new application with one history row.
      const row = await rowOf(app.id);
      expect(row).toMatchObject({ number: app.number, created_by_id: t.world.users.agentA1.id, responsible_id: t.world.users.leaderA.id, assignee_team_id: t.world.teams.A, closed_at: null });
      const after = await counts();
      expect(after).toEqual({ ...before, applications: before.applications + 1, history: before.history + 1 });
    });

    test('a second application gets the next number', async () => {
      const res = ok(await t.gql(Q.createApplication, { i: faturaInput({ subject: 'Faturam çok yüksek geldi', extra: { siparis_no: 'A-2' }, priorityId: priority['Acil'].id }) }, { as: 'agentA1' })).createApplication;
      sim1 = res.id;
      const [year, n] = main.number.split('-');
      expect(res.number).toBe(`${year}-${String(Number(n) + 1).padStart(6, '0')}`);
      expect(res.priority.name).toBe('Acil');
    });
  });

  // ------------------------------------------------------------ 3. follow-ups and time

  describe('3. agentA1 follows up and logs time', () => {
    test('follow-ups count up and list newest first (by when they were noted)', async () => {
      const f1 = await addFollowUp(main.id, 'Müşteri arandı, fatura dökümü istendi.', 'agentA1');
      const f2 = await addFollowUp(main.id, 'Fatura dökümü e-posta ile geldi, inceleniyor.', 'agentA1');
      // Written last, but noted two hours ago (a note taken during the call).
      const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
      const f3 = await addFollowUp(main.id, 'Görüşme notu: sayaç fotoğrafı gönderilecek.', 'agentA1', twoHoursAgo);
      expect(f1).toMatchObject({ author: { id: uid('agentA1') }, applicationId: main.id });
      expect(f3.notedAt).toBe(twoHoursAgo);

      const app = ok(await t.gql(Q.appWithChildren, { id: main.id }, { as: 'agentA1' })).application;
      expect(app.followUpCount).toBe(3);
      expect(app.followUps.map((f: { id: string }) => f.id)).toEqual([f2.id, f1.id, f3.id]);
      const noted = app.followUps.map((f: { notedAt: string }) => new Date(f.notedAt).getTime());
      expect([...noted].sort((a, b) => b - a)).toEqual(noted);
    });

    test('time entries add up on the application', async () => {
      const e1 = ok(await t.gql(Q.addTime, { a: main.id, i: { minutes: 30, note: 'Fatura kalemleri tek tek kontrol edildi.' } }, { as: 'agentA1' })).addTimeEntry;
      expect(e1).toMatchObject({ minutes: 30, user: { id: uid('agentA1') }, applicationId: main.id });
      expect(e1.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      todayOfTime = e1.date;
      history.push({ field: 'timeEntry', actor: 'agentA1', oldValue: null, newValue: `30 min (Ali Temsilci, ${e1.date})` });
      const e2 = ok(await t.gql(Q.addTime, { a: main.id, i: { minutes: 15 } }, { as: 'agentA1' })).addTimeEntry;
      history.push({ field: 'timeEntry', actor: 'agentA1', oldValue: null, newValue: `15 min (Ali Temsilci, ${e2.date})` });

      const app = ok(await t.gql(Q.appWithChildren, { id: main.id }, { as: 'agentA1' })).application;
      expect(app.timeSpentMinutes).toBe(45);
      expect(app.timeEntries.map((e: { minutes: number }) => e.minutes).sort()).toEqual([15, 30]);
      const [{ sum }] = await t.sql('select sum(minutes)::int as sum from time_entries where application_id = $1', [main.id]);
      expect(sum).toBe(45);
    });

    test("and on the application's account, subscription and project", async () => {
      for (const as of ['agentA1', 'admin'] as RoleName[]) {
        expect(ok(await t.gql(Q.accountTime, { id: isik }, { as })).account.timeSpentMinutes).toBe(45);
        expect(ok(await t.gql(Q.subscriptionTime, { id: isikSub }, { as })).subscription.timeSpentMinutes).toBe(45);
        expect(ok(await t.gql(Q.projectTime, { id: projectId }, { as })).project.timeSpentMinutes).toBe(45);
      }
      // Nothing was logged for the other customer.
      expect(ok(await t.gql(Q.accountTime, { id: deniz }, { as: 'admin' })).account.timeSpentMinutes).toBe(0);
      expect(ok(await t.gql(Q.subscriptionTime, { id: denizSub }, { as: 'admin' })).subscription.timeSpentMinutes).toBe(0);
    });
  });

  // ------------------------------------------------------------ 4. similar applications

  describe('4. agentA1 looks for similar applications', () => {
    test('similar subjects rank by similarity (Turkish-aware); an unrelated one is not listed', async () => {
      sim2 = ok(
        await t.gql(Q.createApplication, { i: faturaInput({ treeCategoryId: cat.yuksek, subject: 'FATURA TUTARI ÇOK YÜKSEK GELDİ', extra: { siparis_no: 'A-3' }, assignee: { teamId: teamA(), userId: uid('agentA1') } }) }, { as: 'agentA1' }),
      ).createApplication.id;
      unrelated = ok(
        await t.gql(
          Q.createApplication,
          {
            i: faturaInput({
              subcategoryId: cat.teslimat,
              treeCategoryId: cat.gec,
              extra: { tutar: 0 },
              channelId: channel.email,
              priorityId: priority['Düşük'].id,
              subject: 'Kargo teslimatı gecikti',
              detail: 'Sipariş edilen sayaç iki haftadır gelmedi.',
            }),
          },
          { as: 'agentA1' },
        ),
      ).createApplication.id;

      const res = ok(await t.gql(Q.similar, { id: main.id }, { as: 'agentA1' })).similarApplications as { similarity: number; application: { id: string } }[];
      const ids = res.map((s) => s.application.id);
      expect(ids.slice(0, 2)).toEqual([sim2, sim1]);
      expect(ids).not.toContain(unrelated);
      expect(ids).not.toContain(main.id);
      const sims = res.map((s) => s.similarity);
      expect([...sims].sort((a, b) => b - a)).toEqual(sims);
      expect(sims[0]).toBeGreaterThan(sims[1]);
      for (const s of sims) {
        expect(s).toBeGreaterThan(0);
        expect(s).toBeLessThanOrEqual(1);
      }
      // And the other way round: from the unrelated one, none of the invoice complaints.
      const fromUnrelated = ok(await t.gql(Q.similar, { id: unrelated }, { as: 'agentA1' })).similarApplications.map((s: { application: { id: string } }) => s.application.id);
      expect(fromUnrelated).not.toContain(main.id);
      expect(fromUnrelated).not.toContain(sim1);
    });
  });

  // ------------------------------------------------------------ 5. stages

  describe('5. agentA1 moves it through the stages', () => {
    test('a transition that is not allowed (Açık → Çözüldü) is refused on stageId and changes nothing', async () => {
      const before = await rowOf(main.id);
      const hist = await historyCount(main.id);
      const res = await t.gql(Q.changeStage, { id: main.id, v: before.version, s: stage.cozuldu }, { as: 'agentA1' });
      expectError(res, 'BAD_USER_INPUT', 'stageId');
      expect(res.errors![0].message).toMatch(/İşlemde/);
      expect(await rowOf(main.id)).toEqual(before);
      expect(await historyCount(main.id)).toBe(hist);
    });

    test('Açık → İşlemde with a note: the note becomes a follow-up, the application stays open', async () => {
      const before = await versionOf(main.id);
      const moved = await move(main.id, stage.islemde, 'agentA1', 'Arıza ekibine iletildi.');
      history.push({ field: 'stage', actor: 'agentA1', oldValue: 'Açık', newValue: 'İşlemde' });
      history.push({ field: 'followUp', actor: 'agentA1', oldValue: null, newValue: 'Arıza ekibine iletildi.' });
      expect(moved).toMatchObject({ stage: { name: 'İşlemde', closed: false }, closedAt: null, followUpCount: 4 });
      expect(moved.version).toBeGreaterThan(before);
      // İşlemde cannot go back to Açık.
      expectError(await t.gql(Q.changeStage, { id: main.id, v: moved.version, s: stage.acik }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'stageId');
    });

    test('İşlemde → Çözüldü closes it (closedAt set); Çözüldü → İşlemde reopens it (closedAt cleared)', async () => {
      const t0 = Date.now();
      const solved = await move(main.id, stage.cozuldu, 'agentA1');
      expect(solved.stage).toMatchObject({ name: 'Çözüldü', closed: true });
      expect(solved.closedAt).not.toBeNull();
      expect(new Date(solved.closedAt).getTime()).toBeGreaterThanOrEqual(t0 - 1000);
      expect(new Date(solved.closedAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      closedAtWhenSolved = solved.closedAt;
      history.push({ field: 'stage', actor: 'agentA1', oldValue: 'İşlemde', newValue: 'Çözüldü' });
      history.push({ field: 'closedAt', actor: 'agentA1', oldValue: null, newValue: new Date(solved.closedAt).toISOString() });
      expect((await rowOf(main.id)).closed_at).toEqual(new Date(solved.closedAt));

      // Çözüldü allows only İşlemde.
      expectError(await t.gql(Q.changeStage, { id: main.id, v: solved.version, s: stage.kapatildi }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'stageId');

      const reopened = await move(main.id, stage.islemde, 'agentA1');
      expect(reopened).toMatchObject({ stage: { name: 'İşlemde', closed: false }, closedAt: null });
      history.push({ field: 'stage', actor: 'agentA1', oldValue: 'Çözüldü', newValue: 'İşlemde' });
      history.push({ field: 'closedAt', actor: 'agentA1', oldValue: new Date(closedAtWhenSolved).toISOString(), newValue: null });
      expect((await rowOf(main.id)).closed_at).toBeNull();
    });
  });

  // ------------------------------------------------------------ 6. reassignment

  describe('6. leaderA reassigns it', () => {
    test('leaderA assigns it to agentA2 within team A', async () => {
      const res = ok(await t.gql(Q.assign, { id: main.id, v: await versionOf(main.id), i: { teamId: teamA(), userId: uid('agentA2') } }, { as: 'leaderA' })).assignApplication;
      expect(res).toMatchObject({ assigneeUser: { id: uid('agentA2') }, assigneeTeam: { id: teamA() }, assigneeEveryone: false });
      history.push({ field: 'assignee', actor: 'leaderA', oldValue: 'Takım A', newValue: 'Takım A / İpek Işıl' });
      const row = await rowOf(main.id);
      expect(row).toMatchObject({ assignee_user_id: t.world.users.agentA2.id, assignee_team_id: t.world.teams.A });
      // agentA2 now sees it, and so does agentA1 (still team A's).
      expect(ok(await t.gql(Q.application, { id: main.id }, { as: 'agentA2' })).application.assigneeUser.id).toBe(uid('agentA2'));
      expect(ok(await t.gql(Q.application, { id: main.id }, { as: 'agentA1' })).application.id).toBe(main.id);
    });

    test.each([
      ['team B', () => ({ teamId: teamB() })],
      ['agentB1', () => ({ userId: uid('agentB1') })],
      ['team B / agentB1', () => ({ teamId: teamB(), userId: uid('agentB1') })],
    ])('leaderA cannot move it out of the team, to %s: FORBIDDEN, nothing changes', async (_label, input) => {
      const before = await rowOf(main.id);
      const hist = await historyCount(main.id);
      expectError(await t.gql(Q.assign, { id: main.id, v: before.version, i: input() }, { as: 'leaderA' }), 'FORBIDDEN', 'input');
      expect(await rowOf(main.id)).toEqual(before);
      expect(await historyCount(main.id)).toBe(hist);
    });

    test('agentA1 cannot change the responsible: FORBIDDEN naming input.responsibleId, nothing changes', async () => {
      const before = await rowOf(main.id);
      const hist = await historyCount(main.id);
      const res = await t.gql(Q.updateApplication, { id: main.id, v: before.version, i: { responsibleId: uid('agentA1'), detail: 'Sorumlu değişsin.' } }, { as: 'agentA1' });
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.data ?? null).toBeNull();
      expect(await rowOf(main.id)).toEqual(before);
      expect(await historyCount(main.id)).toBe(hist);
      // The error names the input the client sent (as README: extensions.field names the input).
      expect(res.errors![0].extensions!.field).toBe('input.responsibleId');
    });

    test('leaderA can change the responsible', async () => {
      const res = ok(await t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { responsibleId: uid('agentA2') } }, { as: 'leaderA' })).updateApplication;
      expect(res.responsible).toEqual({ id: uid('agentA2'), name: 'İpek Işıl' });
      history.push({ field: 'responsible', actor: 'leaderA', oldValue: 'Ayşe Lider', newValue: 'İpek Işıl' });
      expect((await rowOf(main.id)).responsible_id).toBe(t.world.users.agentA2.id);
    });
  });

  // ------------------------------------------------------------ 7. the other team

  describe('7. agentB1 (team B) cannot see it', () => {
    beforeAll(async () => {
      // agentB1 records a call of the same customer about the same problem, for team B.
      const res = await t.gql(
        Q.createApplication,
        { i: faturaInput({ assignee: { teamId: teamB() }, extra: { siparis_no: 'B-1' }, subject: 'Fatura tutarı yine çok yüksek geldi' }) },
        { as: 'agentB1' },
      );
      bApp = ok(res).createApplication.id;
    });

    test('application(id) is NOT_FOUND, as for an id that does not exist', async () => {
      const hidden = await t.gql(Q.application, { id: main.id }, { as: 'agentB1' });
      expectError(hidden, 'NOT_FOUND', 'id');
      const missing = await t.gql(Q.application, { id: '987654' }, { as: 'agentB1' });
      expectError(missing, 'NOT_FOUND', 'id');
      expect(hidden.errors![0].message.replace(main.id, 'X')).toBe(missing.errors![0].message.replace('987654', 'X'));
      // Nor can agentB1 write to it.
      expectError(await t.gql(Q.addFollowUp, { a: main.id, i: { text: 'Deneme' } }, { as: 'agentB1' }), 'NOT_FOUND', 'id');
      expectError(await t.gql(Q.history, { id: main.id }, { as: 'agentB1' }), 'NOT_FOUND', 'id');
    });

    test('the applications list leaves it out, and so does its total', async () => {
      const admin = ok(await t.gql(Q.list, { p: { limit: 100 } }, { as: 'admin' })).applications;
      const b1 = ok(await t.gql(Q.list, { p: { limit: 100 } }, { as: 'agentB1' })).applications;
      const [{ n }] = await t.sql<{ n: number }>(
        'select count(*)::int as n from applications where archived_at is null and (assignee_user_id = $1 or assignee_everyone or assignee_team_id = $2)',
        [t.world.users.agentB1.id, t.world.teams.B],
      );
      expect(admin.items.map((a: { id: string }) => a.id)).toContain(main.id);
      expect(b1.items.map((a: { id: string }) => a.id)).not.toContain(main.id);
      expect(b1.items.map((a: { id: string }) => a.id)).toContain(bApp);
      expect(b1.total).toBe(n);
      expect(b1.total).toBe(b1.items.length);
      expect(b1.total).toBeLessThan(admin.total);
      // Even when asking for it by id, number or subject.
      expect(ok(await t.gql(Q.list, { f: { ids: [main.id] } }, { as: 'agentB1' })).applications).toMatchObject({ total: 0, items: [] });
      expect(ok(await t.gql(Q.list, { f: { search: main.number } }, { as: 'agentB1' })).applications).toMatchObject({ total: 0, items: [] });
      expect(ok(await t.gql(Q.list, { f: { extra: [{ key: 'siparis_no', equals: 'A-1' }] } }, { as: 'agentB1' })).applications).toMatchObject({ total: 0, items: [] });
    });

    test('similar applications of its own never include it (the administrator does see it as similar)', async () => {
      const asAdmin = ok(await t.gql(Q.similar, { id: bApp }, { as: 'admin' })).similarApplications.map((s: { application: { id: string } }) => s.application.id);
      expect(asAdmin).toContain(main.id);
      const asB1 = ok(await t.gql(Q.similar, { id: bApp }, { as: 'agentB1' })).similarApplications.map((s: { application: { id: string } }) => s.application.id);
      expect(asB1).not.toContain(main.id);
      expect(asB1).not.toContain(sim1);
      expect(asB1).not.toContain(sim2);
      // And from its id: NOT_FOUND.
      expectError(await t.gql(Q.similar, { id: main.id }, { as: 'agentB1' }), 'NOT_FOUND', 'id');
    });

    const isikTruth = async (visibleTo?: 'agentB1') =>
      (
        await t.sql<{ total: number; open: number }>(
          `select count(*)::int as total, count(*) filter (where closed_at is null)::int as open from applications
            where archived_at is null and applicant_id = $1 ${visibleTo ? 'and (assignee_user_id = $2 or assignee_everyone or assignee_team_id = $3)' : ''}`,
          visibleTo ? [isik, t.world.users.agentB1.id, t.world.teams.B] : [isik],
        )
      )[0];

    test("the customer's applications, as agentB1, leave it out", async () => {
      const q = 'query($id: ID!) { account(id: $id) { id applications(page: { limit: 100 }) { total items { id } } } }';
      const admin = ok(await t.gql(q, { id: isik }, { as: 'admin' })).account.applications;
      expect(admin.items.map((a: { id: string }) => a.id)).toContain(main.id);
      expect(admin.total).toBe((await isikTruth()).total);
      const b1 = ok(await t.gql(q, { id: isik }, { as: 'agentB1' })).account.applications;
      expect(b1.items.map((a: { id: string }) => a.id)).toEqual([bApp]);
      expect(b1.total).toBe((await isikTruth('agentB1')).total);
    });

    test("the customer's application counts, as agentB1, leave it out", async () => {
      const q = 'query($id: ID!) { account(id: $id) { id applicationCount openApplicationCount } }';
      const admin = ok(await t.gql(q, { id: isik }, { as: 'admin' })).account;
      const all = await isikTruth();
      expect({ count: admin.applicationCount, open: admin.openApplicationCount }).toEqual({ count: all.total, open: all.open });
      const b1 = ok(await t.gql(q, { id: isik }, { as: 'agentB1' })).account;
      const visible = await isikTruth('agentB1');
      expect({ count: b1.applicationCount, open: b1.openApplicationCount }).toEqual({ count: visible.total, open: visible.open });
      expect(b1.applicationCount).toBeLessThan(admin.applicationCount);
    });

    test('time spent on it is not revealed to agentB1 through the account, subscription or project', async () => {
      expect(ok(await t.gql(Q.accountTime, { id: isik }, { as: 'admin' })).account.timeSpentMinutes).toBe(45);
      expect(ok(await t.gql(Q.accountTime, { id: isik }, { as: 'agentB1' })).account.timeSpentMinutes).toBe(0);
      expect(ok(await t.gql(Q.subscriptionTime, { id: isikSub }, { as: 'agentB1' })).subscription.timeSpentMinutes).toBe(0);
      expect(ok(await t.gql(Q.projectTime, { id: projectId }, { as: 'agentB1' })).project.timeSpentMinutes).toBe(0);
    });

    test('events: agentA2 receives the change, agentB1 does not (a later event about its own application arrives first)', async () => {
      const a2 = new Recorder('agentA2', t.ws(t.world.users.agentA2.token));
      const b1 = new Recorder('agentB1', t.ws(t.world.users.agentB1.token));
      try {
        // Subscriptions start asynchronously: touch both applications until each has heard something.
        const deadline = Date.now() + 20_000;
        while (!a2.about(main.id).length || !b1.about(bApp).length) {
          if (Date.now() > deadline) throw new Error(`subscriptions never started: ${JSON.stringify({ a2: a2.errors, b1: b1.errors })}`);
          if (!a2.about(main.id).length) await addFollowUp(main.id, 'Müşteri tekrar aradı, durum bilgisi verildi.', 'agentA1');
          if (!b1.about(bApp).length) await addFollowUp(bApp, 'Müşteri tekrar aradı, durum bilgisi verildi.', 'agentB1');
          const round = Date.now() + 2000;
          while ((!a2.about(main.id).length || !b1.about(bApp).length) && Date.now() < round) await sleep(20);
        }
        await sleep(200);

        // The change: agentA1 sharpens the subject.
        main.version = await versionOf(main.id);
        const markA2 = a2.events.length;
        const markB1 = b1.events.length;
        const upd = ok(await t.gql(Q.updateApplication, { id: main.id, v: main.version, i: { subject: 'Fatura tutarı çok yüksek geldi, itiraz ediyor' } }, { as: 'agentA1' })).updateApplication;
        history.push({ field: 'subject', actor: 'agentA1', oldValue: 'Fatura tutarı çok yüksek geldi', newValue: 'Fatura tutarı çok yüksek geldi, itiraz ediyor' });
        const got = await a2.waitFor((e) => e.application.id === main.id, 'about the subject change', markA2);
        expect(got).toEqual({ kind: 'changed', application: { id: main.id, number: main.number } });

        // Then a change agentB1 may see; once it has arrived, the earlier one would have too.
        ok(await t.gql(Q.updateApplication, { id: bApp, v: await versionOf(bApp), i: { detail: 'Müşteri fatura aslını şubeye getirecek.' } }, { as: 'agentB1' }));
        const own = await b1.waitFor((e) => e.application.id === bApp, 'about its own application', markB1);
        expect(own.kind).toBe('changed');
        await sleep(300);
        expect(b1.about(main.id)).toEqual([]);
        expect(b1.events.every((e) => e.application.id === bApp)).toBe(true);
        expect(a2.about(bApp)).toEqual([]);
        expect(upd.version).toBeGreaterThan(main.version);
        expect(a2.errors).toEqual([]);
        expect(b1.errors).toEqual([]);
      } finally {
        a2.dispose();
        b1.dispose();
      }
    });
  });

  // ------------------------------------------------------------ 8. stale writes

  describe('8. a stale update', () => {
    test('an update with an old version is a CONFLICT carrying the current version, and changes nothing', async () => {
      const before = await rowOf(main.id);
      const hist = await historyCount(main.id);
      // main.version is what agentA1 read before the subject change.
      expect(main.version).toBeLessThan(before.version);
      const res = await t.gql(Q.updateApplication, { id: main.id, v: main.version, i: { subject: 'Eski ekrandan kaydedilen konu' } }, { as: 'agentA1' });
      expectError(res, 'CONFLICT');
      expect(res.errors![0].extensions!.currentVersion).toBe(before.version);
      expect(await rowOf(main.id)).toEqual(before);
      expect(await historyCount(main.id)).toBe(hist);
      // Stage changes and assignments check the version too.
      expectError(await t.gql(Q.changeStage, { id: main.id, v: main.version, s: stage.bilgiVerildi }, { as: 'agentA1' }), 'CONFLICT');
      expectError(await t.gql(Q.assign, { id: main.id, v: main.version, i: { teamId: teamA() } }, { as: 'leaderA' }), 'CONFLICT');
      expect(await rowOf(main.id)).toEqual(before);
      expect(await historyCount(main.id)).toBe(hist);
    });
  });

  // ------------------------------------------------------------ 9. history

  describe('9. the history', () => {
    test('shows every change, newest first, with actor, old and new value', async () => {
      const rows = ok(await t.gql(Q.history, { id: main.id }, { as: 'leaderA' })).applicationHistory as {
        id: string;
        at: string;
        field: string;
        oldValue: string | null;
        newValue: string | null;
        actor: { id: string; name: string } | null;
      }[];
      const at = rows.map((r) => new Date(r.at).getTime());
      expect([...at].sort((a, b) => b - a)).toEqual(at);
      const chronological = [...rows].reverse().map((r) => ({ field: r.field, actor: r.actor?.id, oldValue: r.oldValue, newValue: r.newValue }));
      expect(chronological).toEqual(history.map((h) => ({ field: h.field, actor: uid(h.actor), oldValue: h.oldValue ?? null, newValue: h.newValue ?? null })));
      // Each kind of change the day made is there.
      expect(new Set(rows.map((r) => r.field))).toEqual(new Set(['created', 'followUp', 'timeEntry', 'stage', 'closedAt', 'assignee', 'responsible', 'subject']));
      expect(rows.find((r) => r.field === 'assignee')!.actor).toEqual({ id: uid('leaderA'), name: 'Ayşe Lider' });
      expect(rows[rows.length - 1]).toMatchObject({ field: 'created', newValue: main.number, actor: { id: uid('agentA1'), name: 'Ali Temsilci' } });

      // Application.history is the same list.
      const viaField = ok(await t.gql(Q.historyField, { id: main.id }, { as: 'leaderA' })).application.history;
      expect(viaField).toEqual(rows);
      // And matches what is stored.
      const [{ n }] = await t.sql<{ n: number }>('select count(*)::int as n from application_history where application_id = $1', [main.id]);
      expect(rows).toHaveLength(n);
    });
  });

  // ------------------------------------------------------------ 10. bad input

  describe('10. bad input is refused, naming the field, and writes nothing', () => {
    type Case = [label: string, field: string, run: () => Promise<GqlResult>];
    const create = (over: () => Record<string, unknown>, as: RoleName = 'agentA1') => () => t.gql(Q.createApplication, { i: faturaInput(over()) }, { as });

    const cases: Case[] = [
      ['unknown applicant', 'input.applicantId', create(() => ({ applicantId: '999999', reporterId: null, subscriptionId: null }))],
      ['non-numeric applicant id', 'input.applicantId', create(() => ({ applicantId: 'işık', reporterId: null, subscriptionId: null }))],
      ['subcategory not under the category', 'input.subcategoryId', create(() => ({ subcategoryId: cat.bilgi }))],
      ['tree category not under the subcategory', 'input.treeCategoryId', create(() => ({ treeCategoryId: cat.gec }))],
      ['reporter: a contact of another account', 'input.reporterId', create(() => ({ reporterId: denizContact }))],
      ['subscription of another account', 'input.subscriptionId', create(() => ({ subscriptionId: denizSub }))],
      ['extra: text for a number', 'input.extra.tutar', create(() => ({ extra: { siparis_no: 'A-7', tutar: 'çok yüksek' } }))],
      ['extra: a number for text', 'input.extra.siparis_no', create(() => ({ extra: { siparis_no: 1234 } }))],
      ['extra: the required one missing', 'input.extra.siparis_no', create(() => ({ extra: { tutar: 99 } }))],
      ['extra: none given, one required', 'input.extra.siparis_no', create(() => ({ extra: undefined }))],
      ['extra: not defined for the category', 'input.extra.siparis_no', create(() => ({ subcategoryId: cat.teslimat, extra: { siparis_no: 'A-8' } }))],
      ['extra: no such field', 'input.extra.renk', create(() => ({ extra: { siparis_no: 'A-9', renk: 'mavi' } }))],
      ['empty subject', 'input.subject', create(() => ({ subject: '   ' }))],
      ['unknown team', 'input.assignee.teamId', create(() => ({ assignee: { teamId: '999999' } }))],
      ['empty subject on update', 'input.subject', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { subject: '   ' } }, { as: 'agentA1' })],
      ['subscription of another account on update', 'input.subscriptionId', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { subscriptionId: denizSub } }, { as: 'agentA1' })],
      ['extra of the wrong type on update', 'input.extra.tutar', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { extra: { tutar: 'bin' } } }, { as: 'agentA1' })],
      ['clearing the required extra on update', 'input.extra.siparis_no', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { extra: { siparis_no: null } } }, { as: 'agentA1' })],
      ['a null subject on update', 'input.subject', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { subject: null } }, { as: 'agentA1' })],
      ['a null priority on update', 'input.priorityId', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { priorityId: null } }, { as: 'agentA1' })],
      ['a null applicant on update', 'input.applicantId', async () => t.gql(Q.updateApplication, { id: main.id, v: await versionOf(main.id), i: { applicantId: null } }, { as: 'agentA1' })],
      ['non-numeric id on update', 'id', async () => t.gql(Q.updateApplication, { id: '12abc', v: 1, i: { detail: 'x' } }, { as: 'agentA1' })],
      ['non-numeric id on read', 'id', () => t.gql(Q.application, { id: 'abc' }, { as: 'agentA1' })],
      ['negative minutes', 'input.minutes', () => t.gql(Q.addTime, { a: main.id, i: { minutes: -5 } }, { as: 'agentA1' })],
      ['zero minutes', 'input.minutes', () => t.gql(Q.addTime, { a: main.id, i: { minutes: 0 } }, { as: 'agentA1' })],
      ['more than a day at once', 'input.minutes', () => t.gql(Q.addTime, { a: main.id, i: { minutes: 1441 } }, { as: 'agentA1' })],
      ['an empty follow-up', 'input.text', () => t.gql(Q.addFollowUp, { a: main.id, i: { text: ' \n ' } }, { as: 'agentA1' })],
    ];

    test.each(cases)('%s → BAD_USER_INPUT on %s', async (_label, field, run) => {
      const before = await counts();
      const mainBefore = await rowOf(main.id);
      const res = await run();
      expectError(res, 'BAD_USER_INPUT', field);
      expect(await counts()).toEqual(before);
      expect(await rowOf(main.id)).toEqual(mainBefore);
    });

    test('a refused application does not use up a number', async () => {
      const before = await counters();
      // Refused at different points: the reporter, the subscription, the extra fields.
      expectError(await t.gql(Q.createApplication, { i: faturaInput({ reporterId: denizContact }) }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.reporterId');
      expectError(await t.gql(Q.createApplication, { i: faturaInput({ subscriptionId: denizSub }) }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.subscriptionId');
      expectError(await t.gql(Q.createApplication, { i: faturaInput({ extra: {} }) }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.extra.siparis_no');
      expect(await counters()).toEqual(before);
    });

    test("one user's time on one day may not exceed 24 hours (input.minutes); another user's may", async () => {
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      expect(yesterday).not.toBe(todayOfTime);
      ok(await t.gql(Q.addTime, { a: sim1, i: { minutes: 1400, date: yesterday, note: 'Toplu fatura incelemesi' } }, { as: 'agentA1' }));
      const before = await counts();
      const sim1Before = await rowOf(sim1);
      const over = await t.gql(Q.addTime, { a: sim1, i: { minutes: 41, date: yesterday } }, { as: 'agentA1' });
      expectError(over, 'BAD_USER_INPUT', 'input.minutes');
      // Also across applications: the limit is the user's day, not the application's.
      expectError(await t.gql(Q.addTime, { a: main.id, i: { minutes: 41, date: yesterday } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.minutes');
      expect(await counts()).toEqual(before);
      expect(await rowOf(sim1)).toEqual(sim1Before);
      // Exactly 24 hours is fine; another agent's day is their own.
      ok(await t.gql(Q.addTime, { a: sim1, i: { minutes: 40, date: yesterday } }, { as: 'agentA1' }));
      ok(await t.gql(Q.addTime, { a: sim1, i: { minutes: 60, date: yesterday } }, { as: 'agentA2' }));
      const [{ day }] = await t.sql<{ day: number }>('select sum(minutes)::int as day from time_entries where user_id = $1 and date = $2', [t.world.users.agentA1.id, yesterday]);
      expect(day).toBe(1440);
      expect(ok(await t.gql(Q.appWithChildren, { id: sim1 }, { as: 'agentA1' })).application.timeSpentMinutes).toBe(1500);
    });
  });

  describe('10b. the 24-hour limit holds under concurrent requests', () => {
    test("four parallel entries of 500 minutes for one user's day: exactly two are accepted", async () => {
      const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
      const apps = [main.id, sim1, sim2, unrelated]; // all readable by agentA2 (team A)
      const results = await Promise.all(apps.map((a) => t.gql(Q.addTime, { a, i: { minutes: 500, date: day, note: 'Paralel kayıt' } }, { as: 'agentA2' })));
      const [{ total }] = await t.sql<{ total: number }>('select coalesce(sum(minutes), 0)::int as total from time_entries where user_id = $1 and date = $2', [t.world.users.agentA2.id, day]);
      expect(total).toBeLessThanOrEqual(1440);
      expect(results.filter((r) => !r.errors).length).toBe(2);
      for (const r of results.filter((x) => x.errors)) expectError(r, 'BAD_USER_INPUT', 'input.minutes');
      expect(total).toBe(1000);
    });
  });

  // ------------------------------------------------------------ 11. lists

  describe('11. lists', () => {
    type Item = { id: string; number: string; subject: string; applicationDate: string; closedAt: string | null; priority: { sortOrder: number }; stage: { name: string } };
    let all: Item[];

    const list = async (vars: Record<string, unknown>, as: RoleName = 'admin') => ok(await t.gql(Q.list, vars, { as })).applications as { total: number; totalExact: boolean; pageInfo: { hasNextPage: boolean; endCursor: string | null }; items: Item[] };
    const idsOf = async (f: Record<string, unknown>, as: RoleName = 'admin') => {
      const page = await list({ f, p: { limit: 100 } }, as);
      expect(page.total).toBe(page.items.length);
      return sortedIds(page.items.map((i) => i.id));
    };

    beforeAll(async () => {
      // sim1 is solved; an older request of another customer is recorded, unassigned, by the administrator.
      await move(sim1, stage.islemde, 'agentA1');
      await move(sim1, stage.cozuldu, 'agentA1');
      const res = await t.gql(
        Q.createApplication,
        {
          i: {
            applicantId: deniz,
            reporterId: denizContact,
            categoryId: cat.talep,
            subcategoryId: cat.bilgi,
            channelId: channel.web_form,
            priorityId: priority['Yüksek'].id,
            applicationDate: '2025-11-03T09:30:00.000Z',
            subject: 'Tarife bilgisi istiyor',
            detail: 'Yeni dönem tarifeleri hakkında bilgi istedi.',
          },
        },
        { as: 'admin' },
      );
      talepApp = ok(res).createApplication.id;
      all = (await list({ p: { limit: 100 } })).items;
    });

    test('an application dated last year is numbered in that year, unassigned, with no responsible', async () => {
      const app = ok(await t.gql(Q.application, { id: talepApp }, { as: 'admin' })).application;
      expect(app.number).toMatch(/^2025-\d{6}$/);
      expect(app).toMatchObject({ assigneeUser: null, assigneeTeam: null, assigneeEveryone: false, responsible: null, priority: { name: 'Yüksek' }, channel: { code: 'web_form' } });
      // Leaders see unassigned work, agents do not.
      expect(ok(await t.gql(Q.application, { id: talepApp }, { as: 'leaderB' })).application.id).toBe(talepApp);
      expectError(await t.gql(Q.application, { id: talepApp }, { as: 'agentA1' }), 'NOT_FOUND', 'id');
    });

    test('the whole list: every live application, counted exactly', async () => {
      const [{ n }] = await t.sql<{ n: number }>('select count(*)::int as n from applications where archived_at is null');
      const page = await list({ p: { limit: 100 } });
      expect(page).toMatchObject({ total: n, totalExact: true });
      expect(sortedIds(all.map((i) => i.id))).toEqual(sortedIds([main.id, sim1, sim2, unrelated, bApp, talepApp]));
      // Default order: newest application date first.
      const dates = all.map((i) => new Date(i.applicationDate).getTime());
      expect([...dates].sort((a, b) => b - a)).toEqual(dates);
    });

    test('a category filter includes its subtree, at any level', async () => {
      expect(await idsOf({ categoryIds: [cat.sikayet] })).toEqual(sortedIds([main.id, sim1, sim2, unrelated, bApp]));
      expect(await idsOf({ categoryIds: [cat.fatura] })).toEqual(sortedIds([main.id, sim1, sim2, bApp]));
      expect(await idsOf({ categoryIds: [cat.yuksek] })).toEqual(sortedIds([main.id, sim2]));
      expect(await idsOf({ categoryIds: [cat.teslimat] })).toEqual(sortedIds([unrelated]));
      expect(await idsOf({ categoryIds: [cat.talep] })).toEqual(sortedIds([talepApp]));
      expect(await idsOf({ categoryIds: [cat.yuksek, cat.talep] })).toEqual(sortedIds([main.id, sim2, talepApp]));
      // An agent sees the same filter within what it may read.
      expect(await idsOf({ categoryIds: [cat.sikayet] }, 'agentA1')).toEqual(sortedIds([main.id, sim1, sim2, unrelated]));
    });

    test('stage and open/closed filters', async () => {
      expect(await idsOf({ stageIds: [stage.islemde] })).toEqual(sortedIds([main.id]));
      expect(await idsOf({ stageIds: [stage.acik] })).toEqual(sortedIds([sim2, unrelated, bApp, talepApp]));
      expect(await idsOf({ stageIds: [stage.islemde, stage.cozuldu] })).toEqual(sortedIds([main.id, sim1]));
      const closed = await idsOf({ closed: true });
      const open = await idsOf({ closed: false });
      expect(closed).toEqual(sortedIds([sim1]));
      expect(open).toEqual(sortedIds([main.id, sim2, unrelated, bApp, talepApp]));
      expect(all.find((i) => i.id === sim1)!.closedAt).not.toBeNull();
    });

    test('assignee team filter', async () => {
      expect(await idsOf({ assigneeTeamIds: [teamB()] })).toEqual(sortedIds([bApp]));
      expect(await idsOf({ assigneeTeamIds: [teamA()] })).toEqual(sortedIds([main.id, sim1, sim2, unrelated]));
      expect(await idsOf({ assigneeUserIds: [uid('agentA2')] })).toEqual(sortedIds([main.id]));
      expect(await idsOf({ unassigned: true })).toEqual(sortedIds([talepApp]));
      // Filtering does not widen what an agent may read.
      expect(await idsOf({ assigneeTeamIds: [teamB()] }, 'agentA1')).toEqual([]);
    });

    test('application date range (from inclusive, to exclusive)', async () => {
      expect(await idsOf({ applicationDate: { from: '2025-11-01T00:00:00.000Z', to: '2025-12-01T00:00:00.000Z' } })).toEqual(sortedIds([talepApp]));
      expect(await idsOf({ applicationDate: { from: '2025-11-03T09:30:00.000Z', to: '2025-11-03T09:30:00.001Z' } })).toEqual(sortedIds([talepApp]));
      expect(await idsOf({ applicationDate: { to: '2025-11-03T09:30:00.000Z' } })).toEqual([]);
      expect(await idsOf({ applicationDate: { from: '2025-12-01T00:00:00.000Z' } })).toEqual(sortedIds([main.id, sim1, sim2, unrelated, bApp]));
    });

    test('extra field filter', async () => {
      expect(await idsOf({ extra: [{ key: 'siparis_no', equals: 'A-1' }] })).toEqual(sortedIds([main.id]));
      expect(await idsOf({ extra: [{ key: 'siparis_no', in: ['A-2', 'A-3', 'B-1'] }] })).toEqual(sortedIds([sim1, sim2, bApp]));
      // A numeric bound. (Asked without `total`, so that only the rows query runs.)
      const bound = await t.gql('query($f: ApplicationFilter) { applications(filter: $f, page: { limit: 100 }) { items { id } } }', { f: { extra: [{ key: 'tutar', gte: '1000' }] } }, { as: 'admin' });
      expect(sortedIds(ok(bound).applications.items.map((i: { id: string }) => i.id))).toEqual(sortedIds([main.id]));
      const bad = await t.gql(Q.list, { f: { extra: [{ key: 'renk', equals: 'mavi' }] } }, { as: 'admin' });
      expectError(bad, 'BAD_USER_INPUT', 'filter.extra.0.key');
    });

    test('search is Turkish-aware: "IŞIK" finds Işık Elektrik\'s applications, "fatura" finds "FATURA"', async () => {
      const isikApps = sortedIds([main.id, sim1, sim2, unrelated, bApp]);
      for (const term of ['IŞIK', 'ışık', 'isik', 'Işık Elektrik']) expect(await idsOf({ search: term })).toEqual(isikApps);
      const faturaApps = sortedIds([main.id, sim1, sim2, bApp]);
      for (const term of ['fatura', 'FATURA', 'Fatura']) expect(await idsOf({ search: term })).toEqual(faturaApps);
      expect(all.find((i) => i.id === sim2)!.subject).toBe('FATURA TUTARI ÇOK YÜKSEK GELDİ');
      expect(await idsOf({ search: 'GECİKTİ' })).toEqual(sortedIds([unrelated]));
      expect(await idsOf({ search: 'deniz gida' })).toEqual(sortedIds([talepApp]));
      expect(await idsOf({ search: main.number })).toEqual(sortedIds([main.id]));
      // Search and filters combine.
      expect(await idsOf({ search: 'fatura', closed: false, assigneeTeamIds: [teamA()] })).toEqual(sortedIds([main.id, sim2]));
    });

    test('sort by number and by priority, both directions', async () => {
      const byNumber = (await list({ s: [{ field: 'number', direction: 'ASC' }], p: { limit: 100 } })).items.map((i) => i.number);
      expect(byNumber).toEqual(all.map((i) => i.number).sort());
      expect(byNumber[0]).toMatch(/^2025-/);
      const byNumberDesc = (await list({ s: [{ field: 'number', direction: 'DESC' }], p: { limit: 100 } })).items.map((i) => i.number);
      expect(byNumberDesc).toEqual([...byNumber].reverse());

      const byPriority = (await list({ s: [{ field: 'priority', direction: 'ASC' }], p: { limit: 100 } })).items;
      const expected = [...all].sort((a, b) => a.priority.sortOrder - b.priority.sortOrder || Number(a.id) - Number(b.id));
      expect(byPriority.map((i) => i.id)).toEqual(expected.map((i) => i.id));
      expect(byPriority[0].id).toBe(unrelated); // Düşük
      const byPriorityDesc = (await list({ s: [{ field: 'priority', direction: 'DESC' }], p: { limit: 100 } })).items;
      const expectedDesc = [...all].sort((a, b) => b.priority.sortOrder - a.priority.sortOrder || Number(a.id) - Number(b.id));
      expect(byPriorityDesc.map((i) => i.id)).toEqual(expectedDesc.map((i) => i.id));
      expect(byPriorityDesc[0].id).toBe(sim1); // Acil
    });

    test.each([
      ['the default order', undefined],
      ['number', [{ field: 'number', direction: 'ASC' }]],
      ['priority, descending', [{ field: 'priority', direction: 'DESC' }]],
      ['subject', [{ field: 'subject', direction: 'ASC' }]],
    ])('cursor pages by %s are disjoint and together are the whole list', async (_label, sort) => {
      const full = (await list({ s: sort, p: { limit: 100 } })).items.map((i) => i.id);
      const pages: string[][] = [];
      let after: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await list({ s: sort, p: { first: 2, ...(after ? { after } : {}) } });
        expect(page.total).toBe(full.length);
        pages.push(page.items.map((i) => i.id));
        expect(page.items.length).toBeLessThanOrEqual(2);
        if (!page.pageInfo.hasNextPage) break;
        expect(page.pageInfo.endCursor).toBeTruthy();
        after = page.pageInfo.endCursor!;
      }
      const flat = pages.flat();
      expect(new Set(flat).size).toBe(flat.length);
      expect(flat).toEqual(full);
      expect(pages.length).toBe(Math.ceil(full.length / 2));
    });

    test('a malformed cursor is refused on page.after', async () => {
      expectError(await t.gql(Q.list, { p: { first: 2, after: 'not-a-cursor' } }, { as: 'admin' }), 'BAD_USER_INPUT', 'page.after');
    });
  });

  // ------------------------------------------------------------ 12. live updates

  describe('12. new applications reach the team live', () => {
    test('every application agentA1 records for team A reaches agentA2 and leaderA as created, and none reaches agentB1', async () => {
      const agentA2 = new Recorder('agentA2', t.ws(t.world.users.agentA2.token));
      const leaderA = new Recorder('leaderA', t.ws(t.world.users.leaderA.token));
      const agentB1 = new Recorder('agentB1', t.ws(t.world.users.agentB1.token));
      try {
        // Wait until the subscriptions are live, touching what each may read.
        const live = () => agentA2.about(sim2).length > 0 && leaderA.about(sim2).length > 0 && agentB1.about(bApp).length > 0;
        const deadline = Date.now() + 20_000;
        while (!live()) {
          if (Date.now() > deadline) throw new Error('subscriptions never started');
          if (!agentA2.about(sim2).length || !leaderA.about(sim2).length) await addFollowUp(sim2, 'Müşteriye dönüş yapıldı.', 'agentA1');
          if (!agentB1.about(bApp).length) await addFollowUp(bApp, 'Müşteriye dönüş yapıldı.', 'agentB1');
          const round = Date.now() + 2000;
          while (!live() && Date.now() < round) await sleep(20);
        }
        await sleep(200);

        // A busy hour: five calls about late meter deliveries.
        const created: { id: string; number: string }[] = [];
        for (let i = 1; i <= 5; i++) {
          const res = await t.gql(
            Q.createApplication,
            { i: faturaInput({ subcategoryId: cat.teslimat, extra: {}, subject: `Sayaç teslimatı gecikti (${i}. arama)` }) },
            { as: 'agentA1' },
          );
          const app = ok(res).createApplication;
          created.push({ id: app.id, number: app.number });
        }
        for (const r of [agentA2, leaderA]) {
          for (const app of created) {
            expect(await r.waitFor((e) => e.application.id === app.id, `about ${app.number}`)).toEqual({ kind: 'created', application: app });
          }
        }
        // agentB1: a later event it may see arrives; none of team A's does.
        const mark = agentB1.events.length;
        await addFollowUp(bApp, 'Müşteri bilgilendirildi.', 'agentB1');
        await agentB1.waitFor((e) => e.application.id === bApp, 'about its own application', mark);
        await sleep(300);
        expect(agentB1.events.filter((e) => created.some((c) => c.id === e.application.id))).toEqual([]);
      } finally {
        agentA2.dispose();
        leaderA.dispose();
        agentB1.dispose();
      }
    });
  });
});
