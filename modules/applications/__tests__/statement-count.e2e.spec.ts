import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { createContext, type Context, type Identity } from '../../../api/context';
import { startTestApp, type RoleName, type TestApp } from '../../../test/harness';
import { AccountKind } from '../../accounts/entities/account.entities';
import { accountService, contactService, regionService, subscriptionService } from '../../accounts/services/account.services';
import { identityOf } from '../../identity/services/auth.service';
import { ContactChannel, Priority } from '../../reference/entities/reference.entities';
import { branchService, campaignService, projectService } from '../../reference/services/reference.services';
import { ProcessStage } from '../entities/classification.entities';
import { applicationService } from '../services/application.service';
import { categoryService } from '../services/classification.service';

/**
 * The list the back office shows: a page of applications with every relation, the follow-up
 * count and the time spent. Relations go through per-request loaders, so the number of SQL
 * statements a request runs must not grow with the page size (no N+1).
 */
const LIST = `query($page: PageInput) {
  applications(page: $page) {
    total
    pageInfo { hasNextPage endCursor }
    items {
      id number subject
      applicant { name }
      reporter { fullName }
      branch { name }
      priority { name }
      stage { name }
      category { name }
      subcategory { name }
      treeCategory { name }
      channel { name }
      assigneeUser { name }
      assigneeTeam { name }
      responsible { name }
      project { name }
      campaign { name }
      subscription { number }
      createdBy { name }
      followUpCount
      timeSpentMinutes
    }
  }
}`;

const DETAIL = `query($id: ID!) {
  application(id: $id) {
    id number followUpCount timeSpentMinutes
    followUps { text author { name } }
    timeEntries { minutes user { name } }
    history { field actor { name } }
    applicant {
      name
      contacts { fullName }
      subscriptions { number }
      timeSpentMinutes
      openApplicationCount
    }
  }
}`;

const ACCOUNTS = `query($page: PageInput) {
  accounts(page: $page) {
    total
    items {
      name
      region { name }
      contacts { fullName }
      subscriptions { number }
      timeSpentMinutes
      openApplicationCount
    }
  }
}`;

const RELATIONS = [
  'applicant',
  'reporter',
  'branch',
  'priority',
  'stage',
  'category',
  'subcategory',
  'treeCategory',
  'channel',
  'assigneeUser',
  'assigneeTeam',
  'responsible',
  'project',
  'campaign',
  'subscription',
  'createdBy',
] as const;

const APPLICATIONS = 120;

describe('SQL statements per request stay constant whatever the page size', () => {
  let t: TestApp;
  let counting = false;
  let statements: string[] = [];
  const onQuery = (q: { sql?: string }) => {
    if (counting) statements.push(String(q.sql ?? ''));
  };
  const measured: Record<string, number> = {};
  let detailIds: { few: string; many: string };

  /** The server's knex: every statement MikroORM sends goes through it (and its 'query' event). */
  const knexOf = () => (t.app.services.orm.em as unknown as SqlEntityManager).getConnection().getKnex();

  /** Runs one GraphQL request and counts the SQL statements the server ran for it. */
  async function measure(label: string, query: string, variables: Record<string, unknown>, as: RoleName) {
    // Sessions slide their idle expiry at most once a minute (one extra UPDATE); keep them fresh
    // so that write does not land in one measurement and not another.
    await t.sql(`update sessions set last_seen_at = now()`);
    statements = [];
    counting = true;
    let res;
    try {
      res = await t.gql(query, variables, { as });
    } finally {
      counting = false;
    }
    expect(res.errors).toBeUndefined();
    measured[label] = statements.length;
    return { count: statements.length, sql: [...statements], data: res.data };
  }

  beforeAll(async () => {
    const started = Date.now();
    t = await startTestApp();
    knexOf().on('query', onQuery);

    const system = t.system();
    const em = system.em as SqlEntityManager;
    const u = t.world.users;
    const identities = new Map<number, Identity>();
    // A fresh context (and EntityManager) each time: a long-lived one would carry every
    // seeded row in its identity map into each later transaction and slow the seeding down.
    const as = async (userId: number): Promise<Context> => {
      if (!identities.has(userId)) identities.set(userId, await identityOf(em, userId));
      return createContext(t.app.services, identities.get(userId)!, { ip: '127.0.0.1' });
    };

    // Classification: 2 categories × 2 subcategories × 2 tree categories.
    const tree: { category: number; sub: number; leaf: number }[] = [];
    for (const c of ['Şikâyet', 'Talep']) {
      const cat = await categoryService.create(system, { name: c });
      for (const s of ['Fatura', 'Teknik']) {
        const sub = await categoryService.create(system, { name: `${c} ${s}`, parentId: String(cat.id) });
        for (const l of ['Birinci', 'İkinci']) {
          const leaf = await categoryService.create(system, { name: `${c} ${s} ${l}`, parentId: String(sub.id) });
          tree.push({ category: cat.id, sub: sub.id, leaf: leaf.id });
        }
      }
    }

    // Reference data.
    const branches: { id: number }[] = [];
    const projects: { id: number }[] = [];
    const campaigns: { id: number }[] = [];
    for (let i = 1; i <= 3; i++) {
      branches.push(await branchService.create(system, { name: `Şube ${i}` }));
      projects.push(await projectService.create(system, { name: `Proje ${i}`, startDate: '2026-01-01' }));
      campaigns.push(await campaignService.create(system, { name: `Kampanya ${i}`, startDate: '2026-01-01', endDate: '2026-12-31' }));
    }
    const priorities = await em.find(Priority, {}, { orderBy: { sortOrder: 'asc' } });
    const stages = await em.find(ProcessStage, {}, { orderBy: { sortOrder: 'asc' } });
    const channels = await em.find(ContactChannel, {}, { orderBy: { sortOrder: 'asc' } });
    expect(priorities.length).toBeGreaterThanOrEqual(2);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(channels.length).toBeGreaterThanOrEqual(2);

    // Accounts, each in a region (with a responsible), with two contacts and two subscriptions.
    const regions = [
      await regionService.create(system, { name: 'Marmara', responsibleId: String(u.leaderA.id) }),
      await regionService.create(system, { name: 'Ege', responsibleId: String(u.leaderB.id) }),
    ];
    const accounts: { id: number; contacts: number[]; subs: number[] }[] = [];
    for (let i = 0; i < 10; i++) {
      const company = i % 2 === 0;
      const a = await accountService.create(system, {
        kind: company ? AccountKind.COMPANY : AccountKind.INDIVIDUAL,
        name: company ? `Firma ${String(i).padStart(2, '0')} A.Ş.` : `Kişi ${String(i).padStart(2, '0')}`,
        phones: [`0532 000 00 ${String(10 + i)}`],
        regionId: String(regions[i % 2].id),
      });
      const contacts = [];
      const subs = [];
      for (let k = 0; k < 2; k++) {
        contacts.push((await contactService.create(system, { accountId: String(a.id), firstName: `Ad${k}`, lastName: `Soyad${i}` })).id);
        subs.push((await subscriptionService.create(system, { accountId: String(a.id), number: `AB-${i}-${k}` })).id);
      }
      accounts.push({ id: a.id, contacts, subs });
    }

    // Assignees (user and team together, so both relations are filled) and who records it.
    const assignees = [
      { userId: String(u.agentA1.id), teamId: String(t.world.teams.A) },
      { userId: String(u.agentA2.id), teamId: String(t.world.teams.A) },
      { userId: String(u.agentB1.id), teamId: String(t.world.teams.B) },
      { userId: String(u.leaderA.id), teamId: String(t.world.teams.A) },
    ];
    const creators: RoleName[] = ['admin', 'leaderA', 'agentA1'];
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const now = Date.now() - 86_400_000;

    const seedOne = async (i: number) => {
      const acc = accounts[i % accounts.length];
      const cls = tree[i % tree.length];
      const creator = creators[i % creators.length];
      const ctx = await as(u[creator].id);
      // Every seventh one is sparse: assigned to everyone, no branch, project, campaign, subscription.
      const sparse = i % 7 === 6;
      const app = await applicationService.create(ctx, {
        applicantId: String(acc.id),
        reporterId: sparse ? null : String(acc.contacts[i % 2]),
        branchId: sparse ? null : String(branches[i % 3].id),
        priorityId: String(priorities[i % priorities.length].id),
        // Agents may not choose the stage on creation; they start in the initial one.
        stageId: creator === 'agentA1' ? undefined : String(stages[i % stages.length].id),
        categoryId: String(cls.category),
        subcategoryId: sparse ? null : String(cls.sub),
        treeCategoryId: sparse ? null : String(cls.leaf),
        channelId: String(channels[i % channels.length].id),
        applicationDate: new Date(now - i * 3_600_000),
        assignee: sparse ? { everyone: true } : assignees[i % assignees.length],
        // Agents may not set the responsible: the region's responsible fills it.
        responsibleId: creator === 'agentA1' ? undefined : String([u.leaderA.id, u.leaderB.id, u.admin.id][i % 3]),
        projectId: sparse ? null : String(projects[i % 3].id),
        campaignId: sparse ? null : String(campaigns[(i + 1) % 3].id),
        subscriptionId: sparse ? null : String(acc.subs[(i + 1) % 2]),
        subject: `Başvuru ${i}: internet bağlantısı kesiliyor`,
      });
      const admin = await as(u.admin.id);
      for (let f = 0; f < i % 3; f++) await applicationService.addFollowUp(admin, String(app.id), { text: `Takip ${f} (${i})` });
      if (i % 3 !== 2) {
        const userId = String([u.agentA1.id, u.agentA2.id, u.agentB1.id][i % 3]);
        await applicationService.addTimeEntry(admin, String(app.id), { minutes: 5 + (i % 40), date: day(1 + (i % 20)), userId });
      }
    };
    // A few at a time (the server's pool has 5 connections): each write is its own transaction.
    const queue = Array.from({ length: APPLICATIONS }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) await seedOne(i);
      }),
    );

    // Two applications for the detail view, everything done by the administrator, with
    // different numbers of follow-ups, time entries and history rows.
    const detail = async (followUps: number, timeEntries: number) => {
      const acc = accounts[0];
      const admin = await as(u.admin.id);
      const app = await applicationService.create(admin, {
        applicantId: String(acc.id),
        reporterId: String(acc.contacts[0]),
        branchId: String(branches[0].id),
        categoryId: String(tree[0].category),
        subcategoryId: String(tree[0].sub),
        treeCategoryId: String(tree[0].leaf),
        applicationDate: new Date(now - 400 * 86_400_000),
        assignee: { userId: String(u.agentA1.id), teamId: String(t.world.teams.A) },
        subscriptionId: String(acc.subs[0]),
        subject: `Ayrıntı: ${followUps} takip`,
      });
      for (let f = 0; f < followUps; f++) await applicationService.addFollowUp(admin, String(app.id), { text: `Ayrıntı takibi ${f}` });
      for (let e = 0; e < timeEntries; e++) await applicationService.addTimeEntry(admin, String(app.id), { minutes: 10 + e, date: day(2 + e) });
      return String(app.id);
    };
    detailIds = { few: await detail(1, 1), many: await detail(9, 6) };

    console.log(`seeded in ${Date.now() - started} ms`);
    // Warm up (first requests compile and cache things); not measured.
    await t.gql(LIST, { page: { limit: 5 } }, { as: 'admin' });
    await t.gql(DETAIL, { id: detailIds.few }, { as: 'admin' });
    await t.gql(ACCOUNTS, { page: { limit: 2 } }, { as: 'admin' });
  }, 400_000);

  afterAll(async () => {
    if (!t) return;
    knexOf().removeListener('query', onQuery);
    console.log(`SQL statements per request:\n${Object.entries(measured).map(([k, v]) => `  ${k.padEnd(50)} ${v}`).join('\n')}`);
    await t.stop();
  });

  it('seeded the applications with every relation filled on the first page', async () => {
    const [{ n }] = await t.sql(`select count(*)::int as n from applications`);
    expect(n).toBe(APPLICATIONS + 2);
    const { data } = await measure('list admin limit 5 (check)', LIST, { page: { limit: 5 } }, 'admin');
    for (const item of data.applications.items) {
      for (const r of RELATIONS) expect({ item: item.number, [r]: item[r] }).toEqual({ item: item.number, [r]: expect.anything() });
    }
    // The hook sees the relation loads: the same page without relations runs far fewer statements.
    const bare = await measure('list admin limit 5, no relations', '{ applications(page: { limit: 5 }) { total items { id followUpCount } } }', {}, 'admin');
    const full = await measure('list admin limit 5 (check)', LIST, { page: { limit: 5 } }, 'admin');
    expect(bare.count).toBeGreaterThan(0);
    expect(full.count - bare.count).toBeGreaterThanOrEqual(10);
    const [{ f, m }] = await t.sql(`select count(*)::int as f, sum(minutes)::int as m from time_entries`);
    expect(f).toBeGreaterThan(50);
    expect(m).toBeGreaterThan(0);
  });

  for (const as of ['admin', 'agentA1'] as RoleName[]) {
    it(`applications(page: { limit: N }) as ${as}: the same statement count for N = 5, 20, 50, 100`, async () => {
      const base = await measure(`list ${as} limit 5`, LIST, { page: { limit: 5 } }, as);
      // The hook really sees the server's statements.
      expect(base.count).toBeGreaterThan(0);
      expect(base.data.applications.items).toHaveLength(5);
      // Small: a page query, a count, the identity, and one query per kind of relation.
      expect(base.count).toBeLessThanOrEqual(25);
      const visible = base.data.applications.total;
      for (const n of [20, 50, 100]) {
        const r = await measure(`list ${as} limit ${n}`, LIST, { page: { limit: n } }, as);
        expect(r.data.applications.items).toHaveLength(Math.min(n, visible));
        expect({ n, statements: r.count, sql: r.count === base.count ? [] : r.sql }).toEqual({ n, statements: base.count, sql: [] });
      }
      if (as === 'agentA1') {
        // The permission filter is on: team B's work is not in the agent's list.
        expect(visible).toBeLessThan(APPLICATIONS + 2);
        const all = await t.gql(LIST, { page: { limit: 500 } }, { as });
        for (const item of all.data.applications.items) expect(item.assigneeTeam?.name === 'Takım B').toBe(false);
      }
    });

    it(`applications(page: { first, after }) as ${as}: the same statement count as the numbered pages`, async () => {
      const base = await measure(`list ${as} limit 5 (for cursor)`, LIST, { page: { limit: 5 } }, as);
      const first = await measure(`list ${as} first 50`, LIST, { page: { first: 50 } }, as);
      expect(first.data.applications.items).toHaveLength(50);
      const cursor = first.data.applications.pageInfo.endCursor;
      expect(cursor).toBeTruthy();
      const next = await measure(`list ${as} first 50 after cursor`, LIST, { page: { first: 50, after: cursor } }, as);
      expect(next.data.applications.items.length).toBeGreaterThan(0);
      // The next page continues where the first ended.
      const firstIds = new Set(first.data.applications.items.map((i: { id: string }) => i.id));
      for (const item of next.data.applications.items) expect(firstIds.has(item.id)).toBe(false);
      const small = await measure(`list ${as} first 5 after cursor`, LIST, { page: { first: 5, after: cursor } }, as);
      expect(small.data.applications.items).toHaveLength(5);
      expect({ statements: next.count, sql: next.count === small.count ? [] : next.sql }).toEqual({ statements: small.count, sql: [] });
      expect(first.count).toBe(base.count);
      expect(next.count).toBe(base.count);
    });
  }

  // The account aggregates (time spent, open applications) are asked for in the full queries;
  // the "relations only" variants leave them out, so the relations are checked on their own.
  const variants = [
    { name: 'full', aggregates: true },
    { name: 'relations only', aggregates: false },
  ];
  const withoutAggregates = (q: string) => q.replace(/^\s*(timeSpentMinutes|openApplicationCount)\n/gm, '');

  for (const v of variants) {
    for (const as of ['admin', 'leaderA'] as RoleName[]) {
      it(`application(id) detail (${v.name}) as ${as}: the same statement count for 1 and 9 follow-ups`, async () => {
        const q = v.aggregates ? DETAIL : withoutAggregates(DETAIL);
        const few = await measure(`detail ${v.name} ${as} 1 follow-up`, q, { id: detailIds.few }, as);
        const many = await measure(`detail ${v.name} ${as} 9 follow-ups`, q, { id: detailIds.many }, as);
        expect(few.count).toBeGreaterThan(0);
        expect(few.data.application.followUps).toHaveLength(1);
        expect(many.data.application.followUps).toHaveLength(9);
        expect(many.data.application.timeEntries).toHaveLength(6);
        expect(many.data.application.history.length).toBeGreaterThan(few.data.application.history.length);
        if (as === 'admin') {
          // (A team leader may not read the administrator, so those come back null for them.)
          for (const f of many.data.application.followUps) expect(f.author?.name).toBeTruthy();
          for (const e of many.data.application.timeEntries) expect(e.user?.name).toBeTruthy();
        }
        expect(many.data.application.applicant.contacts).toHaveLength(2);
        expect(many.data.application.applicant.subscriptions).toHaveLength(2);
        if (v.aggregates) {
          const [{ minutes }] = await t.sql(`select coalesce(sum(minutes), 0)::int as minutes from time_entries where account_id = (select applicant_id from applications where id = $1)`, [detailIds.many]);
          if (as === 'admin') expect(many.data.application.applicant.timeSpentMinutes).toBe(minutes);
          expect(many.data.application.applicant.openApplicationCount).toBeGreaterThan(0);
        }
        expect({ statements: many.count, sql: many.count === few.count ? [] : many.sql }).toEqual({ statements: few.count, sql: [] });
      });
    }

    for (const as of ['admin', 'agentA1'] as RoleName[]) {
      it(`accounts(page: { limit: N }) (${v.name}) as ${as}: the same statement count for N = 2 and 8`, async () => {
        const q = v.aggregates ? ACCOUNTS : withoutAggregates(ACCOUNTS);
        const two = await measure(`accounts ${v.name} ${as} limit 2`, q, { page: { limit: 2 } }, as);
        const eight = await measure(`accounts ${v.name} ${as} limit 8`, q, { page: { limit: 8 } }, as);
        expect(two.count).toBeGreaterThan(0);
        expect(two.data.accounts.items).toHaveLength(2);
        expect(eight.data.accounts.items).toHaveLength(8);
        for (const a of eight.data.accounts.items) {
          expect(a.region?.name).toBeTruthy();
          expect(a.contacts).toHaveLength(2);
          expect(a.subscriptions).toHaveLength(2);
        }
        if (v.aggregates) {
          expect(eight.data.accounts.items.some((a: { timeSpentMinutes: number }) => a.timeSpentMinutes > 0)).toBe(true);
          expect(eight.data.accounts.items.some((a: { openApplicationCount: number }) => a.openApplicationCount > 0)).toBe(true);
        }
        expect({ statements: eight.count, sql: eight.count === two.count ? [] : eight.sql }).toEqual({ statements: two.count, sql: [] });
      });
    }
  }
});
