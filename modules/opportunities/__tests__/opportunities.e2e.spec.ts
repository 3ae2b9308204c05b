import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { withEm } from '../../../api/context';
import { codeOf, startTestApp, type GqlResult, type TestApp } from '../../../test/harness';
import { createOpportunityIn } from '../services/opportunity.service';

/**
 * Opportunities through the API: the default pipeline, creation with defaults and checks,
 * owner-based permissions, stage changes (probability and closing), filters, search, sorts,
 * pipeline totals restricted to what the viewer may read, and the conversion function other
 * modules call inside their own transaction.
 */

const FIELDS = `id version title description expectedAmount weightedAmount currency probability expectedCloseDate closedAt archivedAt
  account { id } contact { id } stage { id name outcome } owner { id } createdBy { id } campaign { id } project { id }`;

const Q = {
  stages: '{ salesStages(page: { limit: 100 }) { items { id name version sortOrder probability outcome } } }',
  createStage: 'mutation($i: CreateSalesStageInput!) { createSalesStage(input: $i) { id name probability outcome } }',
  createAccount: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id name } }',
  createContact: 'mutation($i: CreateContactInput!) { createContact(input: $i) { id } }',
  createCampaign: 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
  create: `mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { ${FIELDS} } }`,
  update: `mutation($id: ID!, $v: Int!, $i: UpdateOpportunityInput!) { updateOpportunity(id: $id, version: $v, input: $i) { ${FIELDS} } }`,
  one: `query($id: ID!) { opportunity(id: $id) { ${FIELDS} } }`,
  changeStage: `mutation($id: ID!, $v: Int!, $s: ID!) { changeOpportunityStage(id: $id, version: $v, stageId: $s) { ${FIELDS} } }`,
  archive: 'mutation($id: ID!) { archiveOpportunity(id: $id) { id archivedAt } }',
  list: `query($f: OpportunityFilter, $s: [OpportunitySort!], $p: PageInput) { opportunities(filter: $f, sort: $s, page: $p) {
    total pageInfo { hasNextPage endCursor } items { id title expectedAmount currency stage { sortOrder } } } }`,
  pipeline: `query($f: OpportunityFilter) { opportunityPipeline(filter: $f) { stage { id name outcome } count
    totalAmount { currency amount } weightedAmount { currency amount } } }`,
};

function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors?.length) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

function expectError(res: GqlResult, code: string, field?: string) {
  expect(res.errors?.length).toBe(1);
  expect({ code: codeOf(res), field: res.errors![0].extensions?.field }).toEqual({ code, field });
}

describe('opportunities', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  let stages: Record<string, string> = {};
  const user = (k: 'agentA1' | 'agentA2' | 'leaderA' | 'agentB1') => String(t.world.users[k].id);

  beforeAll(async () => {
    t = await startTestApp();
    const acc = async (name: string) => ok(await t.gql(Q.createAccount, { i: { kind: 'COMPANY', name } }, { as: 'admin' })).createAccount.id as string;
    ids.accA = await acc('Işık Yazılım');
    ids.accB = await acc('Deniz Lojistik');
    ids.contactA = ok(await t.gql(Q.createContact, { i: { accountId: ids.accA, firstName: 'Şule', lastName: 'Çelik' } }, { as: 'admin' })).createContact.id;
    ids.contactB = ok(await t.gql(Q.createContact, { i: { accountId: ids.accB, firstName: 'Ömer', lastName: 'Kaya' } }, { as: 'admin' })).createContact.id;
    ids.campaign = ok(await t.gql(Q.createCampaign, { i: { name: 'Bahar 2026' } }, { as: 'admin' })).createCampaign.id;
  });
  afterAll(async () => t?.stop());

  test('first run creates the default pipeline, readable by everyone', async () => {
    const d = ok(await t.gql(Q.stages, {}, { as: 'agentB1' }));
    expect(d.salesStages.items.map((s: any) => [s.name, s.probability, s.outcome])).toEqual([
      ['Yeni fırsat', 10, 'OPEN'],
      ['Görüşme', 30, 'OPEN'],
      ['Teklif verildi', 60, 'OPEN'],
      ['Kazanıldı', 100, 'WON'],
      ['Kaybedildi', 0, 'LOST'],
    ]);
    stages = Object.fromEntries(d.salesStages.items.map((s: any) => [s.name, s.id]));
    expectError(await t.gql(Q.createStage, { i: { name: 'Müzakere' } }, { as: 'leaderA' }), 'FORBIDDEN');
    expectError(await t.gql(Q.createStage, { i: { name: 'Müzakere', probability: 101 } }, { as: 'admin' }), 'BAD_USER_INPUT', 'input.probability');
  });

  let opp: { id: string; version: number };

  test('an agent creates an opportunity: defaults from the stage and the creator', async () => {
    const c = ok(await t.gql(Q.create, { i: { accountId: ids.accA, contactId: ids.contactA, title: ' Lisans yenileme ', expectedAmount: 1000.456, campaignId: ids.campaign } }, { as: 'agentA1' })).createOpportunity;
    expect(c).toMatchObject({
      title: 'Lisans yenileme',
      expectedAmount: 1000.46,
      weightedAmount: 100.05,
      currency: 'TRY',
      probability: 10,
      closedAt: null,
      stage: { name: 'Yeni fırsat', outcome: 'OPEN' },
      owner: { id: user('agentA1') },
      createdBy: { id: user('agentA1') },
      campaign: { id: ids.campaign },
      contact: { id: ids.contactA },
    });
    expect((await t.sql('select expected_amount::text as a from opportunities where id = $1', [c.id]))[0].a).toBe('1000.46');
    opp = { id: c.id, version: c.version };
    const won = ok(await t.gql(Q.create, { i: { accountId: ids.accB, title: 'Kazanılmış', stageId: stages['Kazanıldı'], probability: 90, currency: 'USD' } }, { as: 'admin' })).createOpportunity;
    expect(won).toMatchObject({ probability: 90, currency: 'USD', expectedAmount: 0, owner: { id: String(t.world.users.admin.id) } });
    expect(won.closedAt).not.toBeNull();
  });

  test('bad input names the field and writes nothing', async () => {
    const before = (await t.sql('select count(*)::int as n from opportunities'))[0].n;
    const base = { accountId: ids.accA, title: 'X' };
    expectError(await t.gql(Q.create, { i: { ...base, contactId: ids.contactB } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.contactId');
    expectError(await t.gql(Q.create, { i: { ...base, title: ' ' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.title');
    expectError(await t.gql(Q.create, { i: { ...base, expectedAmount: -1 } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.expectedAmount');
    expectError(await t.gql(Q.create, { i: { ...base, expectedAmount: 1e13 } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.expectedAmount');
    expectError(await t.gql(Q.create, { i: { ...base, probability: 101 } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.probability');
    expectError(await t.gql(Q.create, { i: { ...base, ownerId: '999999' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.ownerId');
    expectError(await t.gql(Q.create, { i: { ...base, campaignId: '999999' } }, { as: 'agentA1' }), 'BAD_USER_INPUT', 'input.campaignId');
    // The LocalDate scalar refuses impossible days while coercing variables.
    expect(codeOf(await t.gql(Q.create, { i: { ...base, expectedCloseDate: '2026-02-30' } }, { as: 'agentA1' }))).toBe('BAD_USER_INPUT');
    const cur = await t.gql(Q.create, { i: { ...base, currency: 'JPY' } }, { as: 'agentA1' });
    expect(codeOf(cur)).toBe('BAD_USER_INPUT');
    expect(cur.errors![0].message).toContain('currency');
    expect((await t.sql('select count(*)::int as n from opportunities'))[0].n).toBe(before);
  });

  test('owner scopes: an agent sees their own, a team leader their teams\'', async () => {
    expect(ok(await t.gql(Q.one, { id: opp.id }, { as: 'leaderA' })).opportunity.id).toBe(opp.id);
    expectError(await t.gql(Q.one, { id: opp.id }, { as: 'agentA2' }), 'NOT_FOUND', 'id');
    expectError(await t.gql(Q.one, { id: opp.id }, { as: 'leaderB' }), 'NOT_FOUND', 'id');
    expectError(await t.gql(Q.update, { id: opp.id, v: opp.version, i: { title: 'x' } }, { as: 'agentA2' }), 'NOT_FOUND', 'id');
    expectError(await t.gql(Q.archive, { id: opp.id }, { as: 'agentA1' }), 'FORBIDDEN');
    // Giving it away would leave what the agent may update.
    expectError(await t.gql(Q.update, { id: opp.id, v: opp.version, i: { ownerId: user('agentA2') } }, { as: 'agentA1' }), 'FORBIDDEN', 'input.ownerId');
    // A team leader moves it within the team.
    const u = ok(await t.gql(Q.update, { id: opp.id, v: opp.version, i: { ownerId: user('agentA2'), currency: 'EUR', expectedAmount: 2000, probability: 25 } }, { as: 'leaderA' })).updateOpportunity;
    expect(u).toMatchObject({ owner: { id: user('agentA2') }, currency: 'EUR', expectedAmount: 2000, probability: 25, version: opp.version + 1 });
    opp.version = u.version;
    expectError(await t.gql(Q.update, { id: opp.id, v: opp.version, i: { ownerId: user('agentB1') } }, { as: 'leaderA' }), 'FORBIDDEN', 'input.ownerId');
    expectError(await t.gql(Q.update, { id: opp.id, v: opp.version - 1, i: { title: 'stale' } }, { as: 'leaderA' }), 'CONFLICT');
    expectError(await t.gql(Q.update, { id: opp.id, v: opp.version, i: { expectedAmount: null } }, { as: 'leaderA' }), 'BAD_USER_INPUT', 'input.expectedAmount');
    expectError(await t.gql(Q.update, { id: opp.id, v: opp.version, i: { accountId: ids.accB } }, { as: 'leaderA' }), 'BAD_USER_INPUT', 'input.contactId');
    expectError(await t.gql(Q.one, { id: opp.id }, { as: 'agentA1' }), 'NOT_FOUND', 'id');
    expect(ok(await t.gql(Q.one, { id: opp.id }, { as: 'agentA2' })).opportunity.id).toBe(opp.id);
  });

  test('stage changes set the probability and close or reopen', async () => {
    let c = ok(await t.gql(Q.changeStage, { id: opp.id, v: opp.version, s: stages['Kazanıldı'] }, { as: 'agentA2' })).changeOpportunityStage;
    expect(c).toMatchObject({ probability: 100, stage: { outcome: 'WON' } });
    expect(c.closedAt).not.toBeNull();
    expectError(await t.gql(Q.changeStage, { id: opp.id, v: c.version, s: stages['Kazanıldı'] }, { as: 'agentA2' }), 'BAD_USER_INPUT', 'stageId');
    expectError(await t.gql(Q.changeStage, { id: opp.id, v: c.version, s: '999999' }, { as: 'agentA2' }), 'BAD_USER_INPUT', 'stageId');
    expectError(await t.gql(Q.changeStage, { id: opp.id, v: c.version - 1, s: stages['Görüşme'] }, { as: 'agentA2' }), 'CONFLICT');
    c = ok(await t.gql(Q.changeStage, { id: opp.id, v: c.version, s: stages['Görüşme'] }, { as: 'agentA2' })).changeOpportunityStage;
    expect(c).toMatchObject({ probability: 30, closedAt: null, stage: { name: 'Görüşme' } });
    opp.version = c.version;
  });

  test('lists: filters, Turkish-aware search, sorts and pages', async () => {
    const mk = (title: string, extra: object) => t.gql(Q.create, { i: { accountId: ids.accB, title, ...extra } }, { as: 'admin' }).then((r) => ok(r).createOpportunity);
    await mk('Şirket içi eğitim', { expectedAmount: 500, expectedCloseDate: '2026-05-01', description: 'İLERİ düzey' });
    await mk('Depo otomasyonu', { expectedAmount: 75000.5, currency: 'USD', stageId: stages['Teklif verildi'], expectedCloseDate: '2026-06-30' });
    await mk('Kaybedilen teklif', { expectedAmount: 100, stageId: stages['Kaybedildi'] });
    const list = async (f: object, s?: object[], p?: object) => ok(await t.gql(Q.list, { f, s, p }, { as: 'admin' })).opportunities;
    expect((await list({ search: 'SIRKET ICI' })).items.map((x: any) => x.title)).toEqual(['Şirket içi eğitim']);
    expect((await list({ search: 'ileri duzey' })).items.map((x: any) => x.title)).toEqual(['Şirket içi eğitim']);
    expect((await list({ outcome: 'LOST' })).items.map((x: any) => x.title)).toEqual(['Kaybedilen teklif']);
    expect((await list({ outcome: 'OPEN' })).total).toBe(3);
    expect((await list({ currency: 'USD' })).items.map((x: any) => x.title).sort()).toEqual(['Depo otomasyonu', 'Kazanılmış']);
    expect((await list({ amount: { min: 100, max: 2000 } })).items.map((x: any) => x.title).sort()).toEqual(['Kaybedilen teklif', 'Lisans yenileme', 'Şirket içi eğitim']);
    expect((await list({ expectedCloseDate: { from: '2026-05-01', to: '2026-06-30' } })).total).toBe(2);
    expect((await list({ ownerIds: [user('agentA2')] })).items.map((x: any) => x.id)).toEqual([opp.id]);
    expect((await list({ stageIds: [stages['Görüşme']] })).items.map((x: any) => x.id)).toEqual([opp.id]);
    expect((await list({ accountIds: [ids.accB] })).total).toBe(4);
    const byAmount = await list({}, [{ field: 'expectedAmount', direction: 'DESC' }]);
    expect(byAmount.items.map((x: any) => x.expectedAmount)).toEqual([75000.5, 2000, 500, 100, 0]);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 5; i++) {
      const page = await list({}, [{ field: 'stage', direction: 'ASC' }, { field: 'title', direction: 'ASC' }], { first: 2, after });
      seen.push(...page.items.map((x: any) => x.stage.sortOrder));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([10, 20, 30, 40, 50]);
    expectError(await t.gql(Q.list, { f: { ownerIds: ['abc'] } }, { as: 'admin' }), 'BAD_USER_INPUT', 'filter.ownerIds.0');
  });

  test('pipeline totals per stage and currency, restricted to what the viewer may read', async () => {
    const all = ok(await t.gql(Q.pipeline, {}, { as: 'admin' })).opportunityPipeline;
    expect(all.map((s: any) => [s.stage.name, s.count])).toEqual([
      ['Yeni fırsat', 1],
      ['Görüşme', 1],
      ['Teklif verildi', 1],
      ['Kazanıldı', 1],
      ['Kaybedildi', 1],
    ]);
    const teklif = all.find((s: any) => s.stage.name === 'Teklif verildi');
    expect(teklif.totalAmount).toEqual([{ currency: 'USD', amount: 75000.5 }]);
    expect(teklif.weightedAmount).toEqual([{ currency: 'USD', amount: 45000.3 }]);
    const gorusme = all.find((s: any) => s.stage.name === 'Görüşme');
    expect(gorusme).toMatchObject({ totalAmount: [{ currency: 'EUR', amount: 2000 }], weightedAmount: [{ currency: 'EUR', amount: 600 }] });
    // agentA2 owns only the Görüşme one; agentB1 owns none.
    const mine = ok(await t.gql(Q.pipeline, {}, { as: 'agentA2' })).opportunityPipeline;
    expect(mine.map((s: any) => s.count)).toEqual([0, 1, 0, 0, 0]);
    const none = ok(await t.gql(Q.pipeline, {}, { as: 'agentB1' })).opportunityPipeline;
    expect(none.every((s: any) => s.count === 0 && s.totalAmount.length === 0)).toBe(true);
    const filtered = ok(await t.gql(Q.pipeline, { f: { search: 'depo', outcome: 'OPEN' } }, { as: 'admin' })).opportunityPipeline;
    expect(filtered.map((s: any) => [s.stage.name, s.count])).toEqual([
      ['Yeni fırsat', 0],
      ['Görüşme', 0],
      ['Teklif verildi', 1],
    ]);
  });

  test('archiving takes it out of lists and the pipeline', async () => {
    expect(ok(await t.gql(Q.archive, { id: opp.id }, { as: 'admin' })).archiveOpportunity.archivedAt).not.toBeNull();
    expect(ok(await t.gql(Q.list, { f: { ids: [opp.id] } }, { as: 'admin' })).opportunities.total).toBe(0);
    const p = ok(await t.gql(Q.pipeline, {}, { as: 'agentA2' })).opportunityPipeline;
    expect(p.map((s: any) => s.count)).toEqual([0, 0, 0, 0, 0]);
    expectError(await t.gql(Q.changeStage, { id: opp.id, v: opp.version, s: stages['Teklif verildi'] }, { as: 'admin' }), 'BAD_USER_INPUT', 'id');
  });

  test("createOpportunityIn runs inside the caller's transaction", async () => {
    const ctx = t.system();
    const created = await ctx.em.transactional(async (em) => createOpportunityIn(withEm(ctx, em as SqlEntityManager), { accountId: Number(ids.accA), title: 'Başvurudan fırsat', expectedAmount: 10, currency: 'GBP' }));
    expect(created).toMatchObject({ title: 'Başvurudan fırsat', expectedAmount: 10, currency: 'GBP', probability: 10, owner: null });
    await expect(
      ctx.em.transactional(async (em) => {
        await createOpportunityIn(withEm(ctx, em as SqlEntityManager), { accountId: ids.accA, title: 'Geri alınacak' });
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect((await t.sql(`select count(*)::int as n from opportunities where title = 'Geri alınacak'`))[0].n).toBe(0);
    await expect(ctx.em.transactional(async (em) => createOpportunityIn(withEm(ctx, em as SqlEntityManager), { accountId: ids.accA, title: 'x', currency: 'JPY' as never }))).rejects.toMatchObject({
      extensions: { code: 'BAD_USER_INPUT', field: 'input.currency' },
    });
  });
});
