import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { withEm } from '../../../api/context';
import { codeOf, startTestApp, type GqlResult, type TestApp } from '../../../test/harness';
import { createServiceRequestIn } from '../services/service-request.service';

/**
 * Service requests through the API: default stages, creation with defaults and checks,
 * updates with history and versions, stage transitions and closing, assignment within
 * teams, row permissions in reads and lists, filters, search, sorts and pages, archiving,
 * and the conversion function other modules call inside their own transaction.
 */

const FIELDS = `id number version subject detail product serialNumber requestedDate plannedDate resolutionNote closedAt archivedAt assigneeEveryone
  account { id name } contact { id fullName } subscription { id number } stage { id name closed isInitial } priority { id name isDefault }
  assigneeUser { id } assigneeTeam { id } createdBy { id }`;

const Q = {
  stages: '{ serviceStages(page: { limit: 100 }) { total items { id name version sortOrder closed isInitial color allowedNext { id name } } } }',
  createStage: 'mutation($i: CreateServiceStageInput!) { createServiceStage(input: $i) { id name allowedNext { id } } }',
  updateStage: 'mutation($id: ID!, $v: Int!, $i: UpdateServiceStageInput!) { updateServiceStage(id: $id, version: $v, input: $i) { id version allowedNext { id name } } }',
  archiveStage: 'mutation($id: ID!) { archiveServiceStage(id: $id) { id archivedAt } }',
  createAccount: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id name } }',
  createContact: 'mutation($i: CreateContactInput!) { createContact(input: $i) { id } }',
  createSubscription: 'mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { id } }',
  priorities: '{ priorities(page: { limit: 100 }) { items { id name isDefault sortOrder } } }',
  create: `mutation($i: CreateServiceRequestInput!) { createServiceRequest(input: $i) { ${FIELDS} } }`,
  update: `mutation($id: ID!, $v: Int!, $i: UpdateServiceRequestInput!) { updateServiceRequest(id: $id, version: $v, input: $i) { ${FIELDS} } }`,
  one: `query($id: ID!) { serviceRequest(id: $id) { ${FIELDS} history { field oldValue newValue at actor { id } } } }`,
  changeStage: 'mutation($id: ID!, $v: Int!, $s: ID!) { changeServiceRequestStage(id: $id, version: $v, stageId: $s) { id version closedAt stage { id name } } }',
  assign: 'mutation($id: ID!, $v: Int!, $i: AssigneeInput!) { assignServiceRequest(id: $id, version: $v, input: $i) { id version assigneeEveryone assigneeUser { id } assigneeTeam { id } } }',
  archive: 'mutation($id: ID!) { archiveServiceRequest(id: $id) { id archivedAt } }',
  list: `query($f: ServiceRequestFilter, $s: [ServiceRequestSort!], $p: PageInput) { serviceRequests(filter: $f, sort: $s, page: $p) {
    total totalExact pageInfo { hasNextPage endCursor } items { id number subject requestedDate stage { sortOrder } priority { sortOrder } account { name } } } }`,
};

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

function expectError(res: GqlResult, code: string, field?: string) {
  expect(res.errors?.length).toBe(1);
  expect({ code: codeOf(res), field: res.errors![0].extensions?.field }).toEqual({ code, field });
}

describe('service requests', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  let stages: Record<string, { id: string; version: number }> = {};
  let sr: { id: string; version: number; number: string };

  beforeAll(async () => {
    t = await startTestApp();
    const acc = async (name: string) => ok(await t.gql(Q.createAccount, { i: { kind: 'COMPANY', name } }, { as: 'admin' })).createAccount.id as string;
    ids.accA = await acc('Işık Soğutma A.Ş.');
    ids.accB = await acc('Zeytin Ltd.');
    ids.contactA = ok(await t.gql(Q.createContact, { i: { accountId: ids.accA, firstName: 'Şule', lastName: 'Çelik' } }, { as: 'admin' })).createContact.id;
    ids.contactB = ok(await t.gql(Q.createContact, { i: { accountId: ids.accB, firstName: 'Ömer', lastName: 'Kaya' } }, { as: 'admin' })).createContact.id;
    ids.subA = ok(await t.gql(Q.createSubscription, { i: { accountId: ids.accA, number: 'AB-100' } }, { as: 'admin' })).createSubscription.id;
    ids.subB = ok(await t.gql(Q.createSubscription, { i: { accountId: ids.accB, number: 'AB-200' } }, { as: 'admin' })).createSubscription.id;
  });
  afterAll(async () => t?.stop());

  test('first run creates the default stages, readable by everyone', async () => {
    const d = ok(await t.gql(Q.stages, {}, { as: 'agentB1' }));
    expect(d.serviceStages.items.map((s: any) => [s.name, s.closed, s.isInitial])).toEqual([
      ['Yeni', false, true],
      ['Planlandı', false, false],
      ['Teknisyen yolda', false, false],
      ['Tamamlandı', true, false],
      ['İptal', true, false],
    ]);
    stages = Object.fromEntries(d.serviceStages.items.map((s: any) => [s.name, { id: s.id, version: s.version }]));
    expectError(await t.gql(Q.createStage, { i: { name: 'Bekliyor' } }, { as: 'agentA1' }), 'FORBIDDEN');
  });

  test('an agent records a service request: number, defaults, history', async () => {
    const res = await t.gql(
      Q.create,
      { i: { accountId: ids.accA, contactId: ids.contactA, subscriptionId: ids.subA, subject: '  Klima arızası  ', detail: 'Dış ünite ses yapıyor', product: 'Split klima', serialNumber: 'SN-ÇĞ-42', assignee: { teamId: String(t.world.teams.A) } } },
      { as: 'agentA1' },
    );
    const c = ok(res).createServiceRequest;
    expect(c.number).toMatch(new RegExp(`^SR-${new Date().getUTCFullYear()}-\\d{6}$`));
    expect(c).toMatchObject({
      subject: 'Klima arızası',
      product: 'Split klima',
      serialNumber: 'SN-ÇĞ-42',
      requestedDate: new Date().toISOString().slice(0, 10),
      plannedDate: null,
      closedAt: null,
      account: { id: ids.accA },
      contact: { id: ids.contactA, fullName: 'Şule Çelik' },
      subscription: { id: ids.subA },
      stage: { name: 'Yeni', isInitial: true },
      priority: { isDefault: true },
      assigneeTeam: { id: String(t.world.teams.A) },
      createdBy: { id: String(t.world.users.agentA1.id) },
    });
    sr = { id: c.id, version: c.version, number: c.number };
    const second = ok(await t.gql(Q.create, { i: { accountId: ids.accB, subject: 'Kurulum' } }, { as: 'admin' })).createServiceRequest;
    expect(Number(second.number.slice(-6))).toBe(Number(c.number.slice(-6)) + 1);
    const h = ok(await t.gql(Q.one, { id: c.id }, { as: 'agentA1' })).serviceRequest.history;
    expect(h).toEqual([expect.objectContaining({ field: 'created', newValue: c.number, actor: { id: String(t.world.users.agentA1.id) } })]);
  });

  test('bad input names the field and writes nothing', async () => {
    const before = (await t.sql('select count(*)::int as n from service_requests'))[0].n;
    const base = { accountId: ids.accA, subject: 'X' };
    expectError(await t.gql(Q.create, { i: { ...base, contactId: ids.contactB } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.contactId');
    expectError(await t.gql(Q.create, { i: { ...base, subscriptionId: ids.subB } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.subscriptionId');
    expectError(await t.gql(Q.create, { i: { ...base, subject: '   ' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.subject');
    expectError(await t.gql(Q.create, { i: { ...base, accountId: '999999' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.accountId');
    expectError(await t.gql(Q.create, { i: { ...base, priorityId: '999999' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.priorityId');
    expectError(await t.gql(Q.create, { i: { ...base, stageId: '999999' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.stageId');
    expectError(await t.gql(Q.create, { i: { ...base, requestedDate: '2026-03-10', plannedDate: '2026-03-09' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.plannedDate');
    expectError(await t.gql(Q.create, { i: { ...base, assignee: { userId: String(t.world.users.agentB1.id), teamId: String(t.world.teams.A) } } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.assignee.userId');
    expect((await t.sql('select count(*)::int as n from service_requests'))[0].n).toBe(before);
    expect((await t.sql('select last from service_request_counters'))[0].last).toBe(2);
  });

  test('updates: only given fields, history, versions, account re-checks', async () => {
    const u = ok(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { subject: 'Klima arızası (acil)', plannedDate: '2099-01-02', detail: null } }, { as: 'agentA1' })).updateServiceRequest;
    expect(u).toMatchObject({ subject: 'Klima arızası (acil)', plannedDate: '2099-01-02', detail: null, product: 'Split klima', version: sr.version + 1 });
    expectError(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { subject: 'stale' } }, { as: 'agentA1' }), 'CONFLICT');
    sr.version = u.version;
    // The contact belongs to account A: moving to B alone is refused, moving with a B contact works.
    expectError(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { accountId: ids.accB } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.contactId');
    expectError(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { subject: null } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.subject');
    expectError(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { requestedDate: '2099-01-03' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.requestedDate');
    const h = ok(await t.gql(Q.one, { id: sr.id }, { as: 'agentA1' })).serviceRequest.history;
    expect(h.map((x: any) => x.field).sort()).toEqual(['created', 'detail', 'plannedDate', 'subject']);
    expect(h.find((x: any) => x.field === 'subject')).toMatchObject({ oldValue: 'Klima arızası', newValue: 'Klima arızası (acil)' });
    // Nothing changed: no new version.
    const same = ok(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { subject: 'Klima arızası (acil)' } }, { as: 'agentA1' })).updateServiceRequest;
    expect(same.version).toBe(sr.version);
  });

  test('stages move along allowed transitions; closed stages set and clear closedAt', async () => {
    const yeni = stages['Yeni'];
    const upd = await t.gql(Q.updateStage, { id: yeni.id, v: yeni.version, i: { allowedNextStageIds: [stages['Planlandı'].id, stages['İptal'].id] } }, { as: 'admin' });
    expect(ok(upd).updateServiceStage.allowedNext.map((s: any) => s.name)).toEqual(['Planlandı', 'İptal']);
    expectError(await t.gql(Q.updateStage, { id: yeni.id, v: ok(upd).updateServiceStage.version, i: { allowedNextStageIds: [yeni.id] } }, { as: 'admin' }), 'BAD_USER_INPUT', 'input.allowedNextStageIds');
    expectError(await t.gql(Q.updateStage, { id: yeni.id, v: ok(upd).updateServiceStage.version, i: { name: null } }, { as: 'admin' }), 'BAD_USER_INPUT', 'input.name');
    expectError(await t.gql(Q.changeStage, { id: sr.id, v: sr.version, s: stages['Tamamlandı'].id }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'stageId');
    let c = ok(await t.gql(Q.changeStage, { id: sr.id, v: sr.version, s: stages['Planlandı'].id }, { as: 'agentA1' })).changeServiceRequestStage;
    expect(c).toMatchObject({ stage: { name: 'Planlandı' }, closedAt: null });
    c = ok(await t.gql(Q.changeStage, { id: sr.id, v: c.version, s: stages['Tamamlandı'].id }, { as: 'agentA1' })).changeServiceRequestStage;
    expect(c.closedAt).not.toBeNull();
    expectError(await t.gql(Q.changeStage, { id: sr.id, v: c.version - 1, s: stages['Planlandı'].id }, { as: 'agentA1' }), 'CONFLICT');
    c = ok(await t.gql(Q.changeStage, { id: sr.id, v: c.version, s: stages['Planlandı'].id }, { as: 'agentA1' })).changeServiceRequestStage;
    expect(c.closedAt).toBeNull();
    sr.version = c.version;
    const h = ok(await t.gql(Q.one, { id: sr.id }, { as: 'admin' })).serviceRequest.history;
    expect(h.filter((x: any) => x.field === 'stage').map((x: any) => [x.oldValue, x.newValue])).toEqual([
      ['Tamamlandı', 'Planlandı'],
      ['Planlandı', 'Tamamlandı'],
      ['Yeni', 'Planlandı'],
    ]);
    expect(h.filter((x: any) => x.field === 'closedAt')).toHaveLength(2);
  });

  test('row permissions: the other team sees nothing; assignment stays within teams', async () => {
    expectError(await t.gql(Q.one, { id: sr.id }, { as: 'agentB1' }), 'NOT_FOUND', 'id');
    expectError(await t.gql(Q.one, { id: sr.id }, { as: 'leaderB' }), 'NOT_FOUND', 'id');
    expect(ok(await t.gql(Q.list, { f: { ids: [sr.id] } }, { as: 'agentB1' })).serviceRequests.total).toBe(0);
    expect(ok(await t.gql(Q.list, { f: { ids: [sr.id] } }, { as: 'agentA2' })).serviceRequests.total).toBe(1);
    expect(ok(await t.gql(Q.one, { id: sr.id }, { as: 'leaderA' })).serviceRequest.id).toBe(sr.id);
    expectError(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { subject: 'B' } }, { as: 'agentB1' }), 'NOT_FOUND', 'id');
    expectError(await t.gql(Q.assign, { id: sr.id, v: sr.version, i: { teamId: String(t.world.teams.B) } }, { as: 'agentA1' }), 'FORBIDDEN', 'input');
    const a = ok(await t.gql(Q.assign, { id: sr.id, v: sr.version, i: { userId: String(t.world.users.agentA2.id) } }, { as: 'leaderA' })).assignServiceRequest;
    expect(a).toMatchObject({ assigneeUser: { id: String(t.world.users.agentA2.id) }, assigneeTeam: null, assigneeEveryone: false });
    sr.version = a.version;
    // agentA1 no longer sees it (assigned to a colleague only); agentA2 does.
    expectError(await t.gql(Q.one, { id: sr.id }, { as: 'agentA1' }), 'NOT_FOUND', 'id');
    const e = ok(await t.gql(Q.assign, { id: sr.id, v: sr.version, i: { everyone: true } }, { as: 'agentA2' })).assignServiceRequest;
    expect(e.assigneeEveryone).toBe(true);
    sr.version = e.version;
    expect(ok(await t.gql(Q.one, { id: sr.id }, { as: 'agentB1' })).serviceRequest.history.some((x: any) => x.field === 'assignee' && x.newValue === 'Herkes')).toBe(true);
    expectError(await t.gql(Q.archive, { id: sr.id }, { as: 'agentA2' }), 'FORBIDDEN');
  });

  test('lists: filters, Turkish-aware search, sorts and pages', async () => {
    const high = ok(await t.gql(Q.priorities, {}, { as: 'admin' })).priorities.items.find((p: any) => p.name === 'Acil').id;
    for (const [i, d] of ['2026-01-05', '2026-02-10', '2026-03-15'].entries()) {
      ok(await t.gql(Q.create, { i: { accountId: ids.accB, subject: `Bakım ${i}`, requestedDate: d, priorityId: i === 2 ? high : null, serialNumber: `SER-${i}` } }, { as: 'admin' }));
    }
    const list = async (f: object, s?: object[], p?: object) => ok(await t.gql(Q.list, { f, s, p }, { as: 'admin' })).serviceRequests;
    expect((await list({ search: 'KLİMA ARIZASI' })).items.map((x: any) => x.id)).toEqual([sr.id]);
    expect((await list({ search: 'klima arizasi' })).items.map((x: any) => x.id)).toEqual([sr.id]);
    expect((await list({ search: sr.number.toLowerCase() })).items.map((x: any) => x.id)).toEqual([sr.id]);
    expect((await list({ search: 'sn-cg' })).total).toBe(1);
    expect((await list({ search: 'ser-1' })).items.map((x: any) => x.subject)).toEqual(['Bakım 1']);
    expect((await list({ accountIds: [ids.accB] })).total).toBe(4);
    expect((await list({ requestedDate: { from: '2026-02-10', to: '2026-03-15' } })).items.map((x: any) => x.subject).sort()).toEqual(['Bakım 1', 'Bakım 2']);
    expect((await list({ priorityIds: [high] })).items.map((x: any) => x.subject)).toEqual(['Bakım 2']);
    expect((await list({ stageIds: [stages['Planlandı'].id] })).items.map((x: any) => x.id)).toEqual([sr.id]);
    expect((await list({ closed: true })).total).toBe(0);
    expect((await list({ closed: false })).total).toBe(5);
    expect((await list({ assignedToEveryone: true })).items.map((x: any) => x.id)).toEqual([sr.id]);
    expectError(await t.gql(Q.list, { f: { accountIds: ['x'] } }, { as: 'admin' }), 'BAD_USER_INPUT', 'filter.accountIds.0');
    expectError(await t.gql(Q.list, { f: { requestedDate: { from: '2026-02-30' } } }, { as: 'admin' }), 'BAD_USER_INPUT', 'filter.requestedDate.from');
    // Default order: requested date, newest first.
    const all = await list({});
    expect(all.items.map((x: any) => x.requestedDate)).toEqual([...all.items.map((x: any) => x.requestedDate)].sort().reverse());
    // Relation sorts with cursors.
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await list({}, [{ field: 'priority', direction: 'DESC' }, { field: 'account', direction: 'ASC' }], { first: 2, after });
      seen.push(...page.items.map((x: any) => x.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const byStage = await list({}, [{ field: 'stage', direction: 'DESC' }], { limit: 10 });
    expect(byStage.items[0].id).toBe(sr.id);
  });

  test('archiving takes it out of lists', async () => {
    const a = ok(await t.gql(Q.archive, { id: sr.id }, { as: 'leaderA' })).archiveServiceRequest;
    expect(a.archivedAt).not.toBeNull();
    expect(ok(await t.gql(Q.list, { f: { ids: [sr.id] } }, { as: 'admin' })).serviceRequests.total).toBe(0);
    expect(ok(await t.gql(Q.list, { f: { ids: [sr.id], includeArchived: true } }, { as: 'admin' })).serviceRequests.total).toBe(1);
    expectError(await t.gql(Q.update, { id: sr.id, v: sr.version, i: { subject: 'x' } }, { as: 'admin' }), 'BAD_USER_INPUT', 'id');
  });

  test("createServiceRequestIn runs inside the caller's transaction", async () => {
    const ctx = t.system();
    const created = await ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em as SqlEntityManager);
      return createServiceRequestIn(tctx, { accountId: Number(ids.accA), contactId: ids.contactA, subject: 'Başvurudan' });
    });
    expect(created.number).toMatch(/^SR-\d{4}-\d{6}$/);
    // Rolled back with the caller: nothing stays, not even the history.
    const before = (await t.sql('select count(*)::int as n from service_request_history'))[0].n;
    await expect(
      ctx.em.transactional(async (em) => {
        const tctx = withEm(ctx, em as SqlEntityManager);
        await createServiceRequestIn(tctx, { accountId: ids.accA, subject: 'Geri alınacak' });
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect((await t.sql(`select count(*)::int as n from service_requests where subject = 'Geri alınacak'`))[0].n).toBe(0);
    expect((await t.sql('select count(*)::int as n from service_request_history'))[0].n).toBe(before);
    await expect(
      ctx.em.transactional(async (em) => createServiceRequestIn(withEm(ctx, em as SqlEntityManager), { accountId: ids.accA, contactId: ids.contactB, subject: 'x' })),
    ).rejects.toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'input.contactId' } });
  });
});
