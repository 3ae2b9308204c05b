/**
 * The permission matrix of the identity module, as a specification.
 *
 * Who may do what to users, teams and roles, for the three built-in roles (administrator,
 * team leader, agent), over the viewer's own record, a record of their team, and a record
 * of another team. Tables first, tests generated from them; then lists against SQL ground
 * truth, field rules on read and write, roles as data, optimistic locking, anonymous
 * callers and bad input.
 *
 * Outcomes:
 *   allow          the operation succeeds and does what it says
 *   NOT_FOUND      the viewer may not read the record: it looks as if it did not exist
 *   FORBIDDEN      the viewer may read the record (or the subject) but not do this; nothing changes
 *   BAD_USER_INPUT allowed in principle but refused by a business rule; nothing changes
 */
import pg from 'pg';
import { getMetadataStorage } from 'type-graphql';
import { codeOf, PASSWORD, startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';
import { identityModule } from '../identity.module';

type Viewer = 'admin' | 'leaderA' | 'agentA1';
type Outcome = 'allow' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT';
type Subject = 'User' | 'Team' | 'Role';
type Op = 'read' | 'update' | 'archive' | 'create';
type Target = 'own' | 'team' | 'other' | 'new';

const VIEWERS: Viewer[] = ['admin', 'leaderA', 'agentA1'];

// ---------------------------------------------------------------------------------------
// The matrix. Targets per subject:
//   User: own = the viewer; team = a member of team A (agentA2; the administrator belongs to
//         no team, so for it this is just "someone in a team"); other = a member of team B.
//   Team: own = team A (the viewer's team; for the administrator simply a team); other = team B.
//   Role: own = the built-in role the viewer holds; other = a custom role nobody holds.
//   create has no target ('new').
// update changes an innocuous field (User: phone, Team/Role: description).
// ---------------------------------------------------------------------------------------
const MATRIX: Record<Subject, Record<Op, Record<Viewer, Partial<Record<Target, Outcome>>>>> = {
  User: {
    //                 own                      team                   other
    read: {
      admin: /*   */ { own: 'allow', /*      */ team: 'allow', /*     */ other: 'allow' },
      leaderA: /* */ { own: 'allow', /*      */ team: 'allow', /*     */ other: 'NOT_FOUND' },
      agentA1: /* */ { own: 'allow', /*      */ team: 'allow', /*     */ other: 'NOT_FOUND' },
    },
    update: {
      admin: /*   */ { own: 'allow', /*      */ team: 'allow', /*     */ other: 'allow' },
      leaderA: /* */ { own: 'allow', /*      */ team: 'FORBIDDEN', /* */ other: 'NOT_FOUND' },
      agentA1: /* */ { own: 'allow', /*      */ team: 'FORBIDDEN', /* */ other: 'NOT_FOUND' },
    },
    archive: {
      // Nobody archives their own account (a business rule, after the permission check).
      admin: /*   */ { own: 'BAD_USER_INPUT', team: 'allow', /*     */ other: 'allow' },
      leaderA: /* */ { own: 'FORBIDDEN', /*  */ team: 'FORBIDDEN', /* */ other: 'NOT_FOUND' },
      agentA1: /* */ { own: 'FORBIDDEN', /*  */ team: 'FORBIDDEN', /* */ other: 'NOT_FOUND' },
    },
    create: {
      admin: { new: 'allow' },
      leaderA: { new: 'FORBIDDEN' },
      agentA1: { new: 'FORBIDDEN' },
    },
  },
  Team: {
    //                 own                      other
    read: {
      admin: /*   */ { own: 'allow', /*      */ other: 'allow' },
      leaderA: /* */ { own: 'allow', /*      */ other: 'NOT_FOUND' },
      agentA1: /* */ { own: 'allow', /*      */ other: 'NOT_FOUND' },
    },
    update: {
      admin: /*   */ { own: 'allow', /*      */ other: 'allow' },
      leaderA: /* */ { own: 'FORBIDDEN', /*  */ other: 'NOT_FOUND' },
      agentA1: /* */ { own: 'FORBIDDEN', /*  */ other: 'NOT_FOUND' },
    },
    archive: {
      admin: /*   */ { own: 'allow', /*      */ other: 'allow' },
      leaderA: /* */ { own: 'FORBIDDEN', /*  */ other: 'NOT_FOUND' },
      agentA1: /* */ { own: 'FORBIDDEN', /*  */ other: 'NOT_FOUND' },
    },
    create: {
      admin: { new: 'allow' },
      leaderA: { new: 'FORBIDDEN' },
      agentA1: { new: 'FORBIDDEN' },
    },
  },
  Role: {
    //                 own (built-in)           other (custom)
    read: {
      admin: /*   */ { own: 'allow', /*      */ other: 'allow' },
      leaderA: /* */ { own: 'allow', /*      */ other: 'allow' },
      agentA1: /* */ { own: 'allow', /*      */ other: 'allow' },
    },
    update: {
      admin: /*   */ { own: 'allow', /*      */ other: 'allow' },
      leaderA: /* */ { own: 'FORBIDDEN', /*  */ other: 'FORBIDDEN' },
      agentA1: /* */ { own: 'FORBIDDEN', /*  */ other: 'FORBIDDEN' },
    },
    archive: {
      // Built-in roles cannot be archived (a business rule, after the permission check).
      admin: /*   */ { own: 'BAD_USER_INPUT', other: 'allow' },
      leaderA: /* */ { own: 'FORBIDDEN', /*  */ other: 'FORBIDDEN' },
      agentA1: /* */ { own: 'FORBIDDEN', /*  */ other: 'FORBIDDEN' },
    },
    create: {
      admin: { new: 'allow' },
      leaderA: { new: 'FORBIDDEN' },
      agentA1: { new: 'FORBIDDEN' },
    },
  },
};

/** Field rules on read: the two field-restricted fields of User, per viewer and target. */
type Visibility = 'visible' | 'hidden';
const FIELD_READS: Record<Viewer, Partial<Record<'own' | 'team' | 'other', { allowedIpRanges: Visibility; lastSignInAt: Visibility }>>> = {
  admin: /*   */ { own: { allowedIpRanges: 'visible', lastSignInAt: 'visible' }, team: { allowedIpRanges: 'visible', lastSignInAt: 'visible' }, other: { allowedIpRanges: 'visible', lastSignInAt: 'visible' } },
  leaderA: /* */ { own: { allowedIpRanges: 'visible', lastSignInAt: 'visible' }, team: { allowedIpRanges: 'hidden', /**/ lastSignInAt: 'visible' } },
  agentA1: /* */ { own: { allowedIpRanges: 'visible', lastSignInAt: 'visible' }, team: { allowedIpRanges: 'hidden', /**/ lastSignInAt: 'hidden' } },
};

/**
 * Field rules on write: what agentA1 and leaderA may change on their own account. A refused
 * write names the offending input field and changes nothing at all, not even the allowed
 * fields sent with it.
 */
type FieldWrite = { label: string; input: (ids: Ids) => Record<string, unknown>; outcome: 'allow' | { FORBIDDEN: string } };
interface Ids {
  agentRole: string;
  leaderRole: string;
  teamA: string;
  teamB: string;
}
const FIELD_WRITES: FieldWrite[] = [
  { label: '{ name, phone }', input: () => ({ name: 'Yeni Ad', phone: '+90 555 111 22 33' }), outcome: 'allow' },
  { label: '{ email }', input: () => ({ email: 'someone.else@test.local' }), outcome: { FORBIDDEN: 'input.email' } },
  { label: '{ name, email }', input: () => ({ name: 'Sneaky Rename', email: 'sneaky@test.local' }), outcome: { FORBIDDEN: 'input.email' } },
  { label: '{ active: false }', input: () => ({ active: false }), outcome: { FORBIDDEN: 'input.active' } },
  { label: '{ phone, active: false }', input: () => ({ phone: '+90 555 999 99 99', active: false }), outcome: { FORBIDDEN: 'input.active' } },
  { label: '{ roleIds }', input: (ids) => ({ roleIds: [ids.agentRole, ids.leaderRole] }), outcome: { FORBIDDEN: 'input.roleIds' } },
  { label: '{ teamIds }', input: (ids) => ({ teamIds: [ids.teamA, ids.teamB] }), outcome: { FORBIDDEN: 'input.teamIds' } },
  { label: '{ allowedIpRanges }', input: () => ({ allowedIpRanges: [] }), outcome: { FORBIDDEN: 'input.allowedIpRanges' } },
  { label: '{ password }', input: () => ({ password: 'a-new-password-1' }), outcome: { FORBIDDEN: 'input.password' } },
];

// ---------------------------------------------------------------------------------------
// GraphQL documents
// ---------------------------------------------------------------------------------------
const Q = {
  user: 'query($id: ID!) { user(id: $id) { id name email } }',
  team: 'query($id: ID!) { team(id: $id) { id name } }',
  role: 'query($id: ID!) { role(id: $id) { id name key } }',
  updateUser: 'mutation($id: ID!, $v: Int!, $i: UpdateUserInput!) { updateUser(id: $id, version: $v, input: $i) { id name phone email active version } }',
  updateTeam: 'mutation($id: ID!, $v: Int!, $i: UpdateTeamInput!) { updateTeam(id: $id, version: $v, input: $i) { id name description version } }',
  updateRole: 'mutation($id: ID!, $v: Int!, $i: UpdateRoleInput!) { updateRole(id: $id, version: $v, input: $i) { id name description version grants { subject action scope fields inverted } } }',
  archiveUser: 'mutation($id: ID!) { archiveUser(id: $id) { id archivedAt } }',
  archiveTeam: 'mutation($id: ID!) { archiveTeam(id: $id) { id archivedAt } }',
  archiveRole: 'mutation($id: ID!) { archiveRole(id: $id) { id archivedAt } }',
  createUser: 'mutation($i: CreateUserInput!) { createUser(input: $i) { id email } }',
  createTeam: 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { id name } }',
  createRole: 'mutation($i: CreateRoleInput!) { createRole(input: $i) { id name builtIn grants { subject action scope fields inverted } } }',
  users: 'query { users(page: { limit: 500 }) { total items { id } } }',
  teams: 'query { teams(page: { limit: 500 }) { total items { id } } }',
  roles: 'query { roles { id } }',
};

const TABLE: Record<Subject, string> = { User: 'users', Team: 'teams', Role: 'roles' };

let unique = 0;
const uniq = () => `${Date.now().toString(36)}${++unique}`;
const phone = () => `+90 555 ${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`;

/** The first error's code, asserting there is exactly one error and no data. */
function expectError(res: GqlResult, code: string, field?: string) {
  expect(res.errors).toBeDefined();
  expect(res.errors).toHaveLength(1);
  expect({ code: codeOf(res), field: field === undefined ? undefined : res.errors![0].extensions?.field }).toEqual({ code, field });
  expect(res.data ?? null).toBeNull();
}

function expectOk(res: GqlResult) {
  expect(res.errors).toBeUndefined();
  expect(res.data).toBeTruthy();
}

/** A record and its relations as SQL sees them: a write that is refused must leave all of it as it was. */
async function snapshot(t: TestApp, subject: Subject, id: number) {
  const [row] = await t.sql(`select * from ${TABLE[subject]} where id = $1`, [id]);
  const rel =
    subject === 'User'
      ? {
          roles: (await t.sql(`select role_id from user_roles where user_id = $1 order by 1`, [id])).map((r) => r.role_id),
          teams: (await t.sql(`select team_id from team_members where user_id = $1 order by 1`, [id])).map((r) => r.team_id),
        }
      : subject === 'Team'
        ? { members: (await t.sql(`select user_id from team_members where team_id = $1 order by 1`, [id])).map((r) => r.user_id) }
        : {};
  return { row, ...rel };
}

async function versionOf(t: TestApp, subject: Subject, id: number | string): Promise<number> {
  const [row] = await t.sql(`select version from ${TABLE[subject]} where id = $1`, [id]);
  return row.version;
}

async function count(t: TestApp, table: string): Promise<number> {
  return (await t.sql(`select count(*)::int as n from ${table}`))[0].n;
}

async function roleIdOf(t: TestApp, key: string): Promise<number> {
  return (await t.sql(`select id from roles where key = $1`, [key]))[0].id;
}

/** Signs a world user in again (after their sessions were ended) and keeps the new token. */
async function resignIn(t: TestApp, who: RoleName) {
  const res = await t.signIn(t.world.users[who].email);
  expectOk(res);
  t.world.users[who].token = res.data.signIn.token;
}

const sortIds = (ids: (string | number)[]) => ids.map(Number).sort((a, b) => a - b);

// =======================================================================================
describe('role matrix: users, teams and roles × administrator, team leader, agent × own, team, other', () => {
  let t: TestApp;
  let customRoleId: number;
  const USER_TARGETS: Record<Viewer, Record<'own' | 'team' | 'other', RoleName>> = {
    admin: { own: 'admin', team: 'agentA2', other: 'agentB1' },
    leaderA: { own: 'leaderA', team: 'agentA2', other: 'agentB1' },
    agentA1: { own: 'agentA1', team: 'agentA2', other: 'leaderB' },
  };
  const ROLE_OF: Record<Viewer, string> = { admin: 'administrator', leaderA: 'team_leader', agentA1: 'agent' };

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.gql(Q.createRole, { i: { name: 'Matrix custom role', grants: [{ subject: 'Team', action: 'read', scope: 'own' }] } }, { as: 'admin' });
    expectOk(res);
    customRoleId = Number(res.data.createRole.id);
  });
  afterAll(() => t.stop());

  async function targetId(subject: Subject, viewer: Viewer, target: Target): Promise<number> {
    if (subject === 'User') return t.world.users[USER_TARGETS[viewer][target as 'own']].id;
    if (subject === 'Team') return target === 'own' ? t.world.teams.A : t.world.teams.B;
    return target === 'own' ? roleIdOf(t, ROLE_OF[viewer]) : customRoleId;
  }

  /** Undoes an allowed archive so every case starts from the same world. */
  async function unarchive(subject: Subject, id: number) {
    if (subject === 'User') {
      await t.sql(`update users set archived_at = null, active = true where id = $1`, [id]);
      const who = (Object.keys(t.world.users) as RoleName[]).find((k) => t.world.users[k].id === id)!;
      await resignIn(t, who); // archiving ended the user's sessions
    } else if (subject === 'Team') {
      await t.sql(`update teams set archived_at = null, active = true where id = $1`, [id]);
    } else {
      await t.sql(`update roles set archived_at = null where id = $1`, [id]);
    }
  }

  const cases: [Subject, Op, Viewer, Target, Outcome][] = [];
  for (const subject of Object.keys(MATRIX) as Subject[]) {
    for (const op of Object.keys(MATRIX[subject]) as Op[]) {
      for (const viewer of VIEWERS) {
        for (const [target, outcome] of Object.entries(MATRIX[subject][op][viewer]) as [Target, Outcome][]) cases.push([subject, op, viewer, target, outcome]);
      }
    }
  }

  test.each(cases)('%s.%s by %s on %s → %s', async (subject, op, viewer, target, outcome) => {
    if (op === 'create') {
      const table = TABLE[subject];
      const before = await count(t, table);
      const name = `Matrix ${subject} ${uniq()}`;
      const res =
        subject === 'User'
          ? await t.gql(Q.createUser, { i: { name, email: `matrix.${uniq()}@test.local`, password: PASSWORD } }, { as: viewer })
          : subject === 'Team'
            ? await t.gql(Q.createTeam, { i: { name } }, { as: viewer })
            : await t.gql(Q.createRole, { i: { name, grants: [] } }, { as: viewer });
      const field = `create${subject}`;
      if (outcome === 'allow') {
        expectOk(res);
        const [row] = await t.sql(`select * from ${table} where id = $1`, [res.data[field].id]);
        expect(row).toBeDefined();
        expect(await count(t, table)).toBe(before + 1);
      } else {
        expectError(res, outcome);
        expect(await count(t, table)).toBe(before);
      }
      return;
    }

    const id = await targetId(subject, viewer, target);
    const before = await snapshot(t, subject, id);
    let res: GqlResult;
    let newValue: string | undefined;
    if (op === 'read') {
      res = await t.gql(subject === 'User' ? Q.user : subject === 'Team' ? Q.team : Q.role, { id: String(id) }, { as: viewer });
    } else if (op === 'update') {
      const v = await versionOf(t, subject, id);
      if (subject === 'User') {
        newValue = phone();
        res = await t.gql(Q.updateUser, { id: String(id), v, i: { phone: newValue } }, { as: viewer });
      } else {
        newValue = `changed by ${viewer} ${uniq()}`;
        res = await t.gql(subject === 'Team' ? Q.updateTeam : Q.updateRole, { id: String(id), v, i: { description: newValue } }, { as: viewer });
      }
    } else {
      res = await t.gql(subject === 'User' ? Q.archiveUser : subject === 'Team' ? Q.archiveTeam : Q.archiveRole, { id: String(id) }, { as: viewer });
    }

    try {
      if (outcome !== 'allow') {
        expectError(res, outcome);
        if (outcome === 'NOT_FOUND') expect(res.errors![0].message).toBe(`${subject} ${id} not found.`);
        expect(await snapshot(t, subject, id)).toEqual(before);
        return;
      }
      expectOk(res);
      const result = Object.values(res.data)[0] as Record<string, any>;
      expect(Number(result.id)).toBe(id);
      const after = await snapshot(t, subject, id);
      if (op === 'read') {
        expect(after).toEqual(before);
      } else if (op === 'update') {
        expect(after.row.version).toBe(before.row.version + 1);
        expect(after.row[subject === 'User' ? 'phone' : 'description']).toBe(newValue);
        expect(result.version).toBe(after.row.version);
      } else {
        expect(after.row.archived_at).not.toBeNull();
        expect(result.archivedAt).not.toBeNull();
      }
    } finally {
      // Whatever happened, the next case starts from the same world.
      if (op === 'archive' && (await snapshot(t, subject, id)).row.archived_at) await unarchive(subject, id);
    }
  });

  // Existence must not leak: a hidden record answers exactly like one that does not exist.
  const hidden: [Viewer, Subject, 'read' | 'update' | 'archive'][] = [];
  for (const viewer of ['leaderA', 'agentA1'] as Viewer[]) {
    for (const subject of ['User', 'Team'] as Subject[]) for (const op of ['read', 'update', 'archive'] as const) hidden.push([viewer, subject, op]);
  }
  test.each(hidden)('%s: a hidden %s answers %s exactly like a missing one', async (viewer, subject, op) => {
    const hiddenId = await targetId(subject, viewer, 'other');
    const missingId = (await t.sql(`select coalesce(max(id), 0) + 1000 as id from ${TABLE[subject]}`))[0].id;
    const call = (id: number) => {
      if (op === 'read') return t.gql(subject === 'User' ? Q.user : Q.team, { id: String(id) }, { as: viewer });
      if (op === 'archive') return t.gql(subject === 'User' ? Q.archiveUser : Q.archiveTeam, { id: String(id) }, { as: viewer });
      return t.gql(subject === 'User' ? Q.updateUser : Q.updateTeam, { id: String(id), v: 1, i: subject === 'User' ? { phone: phone() } : { description: 'x' } }, { as: viewer });
    };
    const a = await call(hiddenId);
    const b = await call(missingId);
    expect(codeOf(a)).toBe('NOT_FOUND');
    const strip = (r: GqlResult) => JSON.stringify(r.errors).replaceAll(String(hiddenId), '<id>').replaceAll(String(missingId), '<id>');
    expect(strip(a)).toBe(strip(b));
    expect(a.status).toBe(b.status);
  });
});

// =======================================================================================
describe('lists equal the SQL ground truth of each role', () => {
  let t: TestApp;
  type ListViewer = 'admin' | 'leaderA' | 'agentA1' | 'agentB1';
  const LIST_VIEWERS: ListViewer[] = ['admin', 'leaderA', 'agentA1', 'agentB1'];

  /**
   * The rules in plain SQL. Administrator: every user/team not archived. Others: themselves
   * plus everyone (members and leaders) of the non-archived teams they belong to or lead;
   * teams: the non-archived ones they belong to or lead.
   */
  const MY_TEAMS = `select t.id from teams t
     where t.archived_at is null
       and (t.leader_id = $1 or exists (select 1 from team_members m where m.team_id = t.id and m.user_id = $1))`;
  const ADMIN_RULE = {
    users: `select id from users where archived_at is null`,
    teams: `select id from teams where archived_at is null`,
  };
  const MEMBER_RULE = {
    users: `select u.id from users u where u.archived_at is null and (u.id = $1
              or u.id in (select tm.user_id from team_members tm where tm.team_id in (${MY_TEAMS}))
              or u.id in (select t.leader_id from teams t where t.id in (${MY_TEAMS})))`,
    teams: MY_TEAMS,
  };
  const GROUND_TRUTH: Record<ListViewer, { users: string; teams: string }> = {
    admin: ADMIN_RULE,
    leaderA: MEMBER_RULE, // leader and members of team A
    agentA1: MEMBER_RULE, // itself and team A
    agentB1: MEMBER_RULE, // itself, team B, and team D (set up below)
  };
  const truthOf = async (viewer: ListViewer, list: 'users' | 'teams') =>
    sortIds((await t.sql(GROUND_TRUTH[viewer][list], viewer === 'admin' ? [] : [t.world.users[viewer].id])).map((r) => r.id));

  beforeAll(async () => {
    t = await startTestApp();
    const w = t.world;
    const agentRole = String(await roleIdOf(t, 'agent'));
    // An archived member of team A: listed for nobody.
    const ex = await t.gql(Q.createUser, { i: { name: 'Eski Üye', email: 'former.a@test.local', password: PASSWORD, roleIds: [agentRole], teamIds: [String(w.teams.A)] } }, { as: 'admin' });
    expectOk(ex);
    expectOk(await t.gql(Q.archiveUser, { id: ex.data.createUser.id }, { as: 'admin' }));
    // An archived team joining agentA1 and leaderB: it connects them no more.
    const c = await t.gql(Q.createTeam, { i: { name: 'Takım C', memberIds: [String(w.users.agentA1.id), String(w.users.leaderB.id)] } }, { as: 'admin' });
    expectOk(c);
    expectOk(await t.gql(Q.archiveTeam, { id: c.data.createTeam.id }, { as: 'admin' }));
    // A live team joining agentB1 and agentA2: agentB1 now sees agentA2 too.
    expectOk(await t.gql(Q.createTeam, { i: { name: 'Takım D', memberIds: [String(w.users.agentB1.id), String(w.users.agentA2.id)] } }, { as: 'admin' }));
    // An archived custom role: not in the roles list.
    const r = await t.gql(Q.createRole, { i: { name: 'Old role', grants: [] } }, { as: 'admin' });
    expectOk(r);
    expectOk(await t.gql(Q.archiveRole, { id: r.data.createRole.id }, { as: 'admin' }));
  });
  afterAll(() => t.stop());

  test.each(LIST_VIEWERS)('users: %s gets exactly the ids SQL computes, and total agrees', async (viewer) => {
    const me = t.world.users[viewer].id;
    const expected = await truthOf(viewer, 'users');
    const res = await t.gql(Q.users, {}, { as: viewer });
    expectOk(res);
    const ids = sortIds(res.data.users.items.map((u: { id: string }) => u.id));
    expect(ids).toEqual(expected);
    expect(res.data.users.total).toBe(expected.length);
    // The ground truth is not vacuous: everyone sees themselves, no one else sees the administrator.
    expect(ids).toContain(me);
    if (viewer !== 'admin') expect(ids).not.toContain(t.world.users.admin.id);
  });

  test.each(LIST_VIEWERS)('teams: %s gets exactly the ids SQL computes, and total agrees', async (viewer) => {
    const expected = await truthOf(viewer, 'teams');
    const res = await t.gql(Q.teams, {}, { as: viewer });
    expectOk(res);
    const ids = sortIds(res.data.teams.items.map((x: { id: string }) => x.id));
    expect(ids).toEqual(expected);
    expect(res.data.teams.total).toBe(expected.length);
    expect(ids.length).toBeGreaterThan(0);
  });

  test('the archived records of the setup are hidden from everybody', async () => {
    const [former] = await t.sql(`select id from users where email = 'former.a@test.local'`);
    const [teamC] = await t.sql(`select id from teams where name = 'Takım C'`);
    for (const viewer of LIST_VIEWERS) {
      const users = (await t.gql(Q.users, {}, { as: viewer })).data.users.items.map((u: { id: string }) => Number(u.id));
      const teams = (await t.gql(Q.teams, {}, { as: viewer })).data.teams.items.map((x: { id: string }) => Number(x.id));
      expect(users).not.toContain(former.id);
      expect(teams).not.toContain(teamC.id);
    }
    // agentA1 and leaderB shared only the archived team C.
    const a1 = (await t.gql(Q.users, {}, { as: 'agentA1' })).data.users.items.map((u: { id: string }) => Number(u.id));
    expect(a1).not.toContain(t.world.users.leaderB.id);
  });

  test.each(LIST_VIEWERS)('roles: %s reads every role that is not archived', async (viewer) => {
    const expected = sortIds((await t.sql(`select id from roles where archived_at is null`)).map((r) => r.id));
    const res = await t.gql(Q.roles, {}, { as: viewer });
    expectOk(res);
    expect(sortIds(res.data.roles.map((r: { id: string }) => r.id))).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(3);
  });
});

// =======================================================================================
describe('field rules', () => {
  let t: TestApp;
  let ids: Ids;
  const TARGET: Record<Viewer, Record<'own' | 'team' | 'other', RoleName>> = {
    admin: { own: 'admin', team: 'agentA2', other: 'agentB1' },
    leaderA: { own: 'leaderA', team: 'agentA2', other: 'agentB1' },
    agentA1: { own: 'agentA1', team: 'agentA2', other: 'leaderB' },
  };
  type RestrictedField = 'allowedIpRanges' | 'lastSignInAt';
  const RESTRICTED: RestrictedField[] = ['allowedIpRanges', 'lastSignInAt'];
  const ONE = (f: RestrictedField) => `query($id: ID!) { user(id: $id) { id name email ${f} } }`;
  const LIST = (f: RestrictedField) => `query { users(page: { limit: 500 }) { total items { id name email ${f} } } }`;

  beforeAll(async () => {
    t = await startTestApp();
    // Non-empty ranges that still admit the test client (127.0.0.1), for everyone of interest.
    await t.sql(`update users set allowed_ip_ranges = '{127.0.0.0/8,10.9.0.0/16}' where id = any($1::int[])`, [
      [t.world.users.agentA1.id, t.world.users.agentA2.id, t.world.users.leaderA.id, t.world.users.admin.id, t.world.users.agentB1.id],
    ]);
    ids = {
      agentRole: String(await roleIdOf(t, 'agent')),
      leaderRole: String(await roleIdOf(t, 'team_leader')),
      teamA: String(t.world.teams.A),
      teamB: String(t.world.teams.B),
    };
  });
  afterAll(() => t.stop());

  /** The user's row as SQL has it; the restricted fields are set, so "null" can only mean hidden. */
  async function truth(id: number) {
    const [row] = await t.sql(`select name, email, allowed_ip_ranges, last_sign_in_at from users where id = $1`, [id]);
    expect(row.allowed_ip_ranges.length).toBeGreaterThan(0);
    expect(row.last_sign_in_at).not.toBeNull();
    return { name: row.name, email: row.email, allowedIpRanges: row.allowed_ip_ranges as string[], lastSignInAt: (row.last_sign_in_at as Date).toISOString() };
  }

  function expectField(got: Record<string, unknown>, want: Awaited<ReturnType<typeof truth>>, field: RestrictedField, visibility: Visibility) {
    expect(got.name).toBe(want.name);
    expect(got.email).toBe(want.email);
    const value = field === 'lastSignInAt' && got[field] ? new Date(got[field] as string).toISOString() : got[field];
    expect(value).toEqual(visibility === 'visible' ? want[field] : null);
  }

  const readCases: [Viewer, 'own' | 'team' | 'other', RestrictedField, Visibility][] = [];
  for (const viewer of VIEWERS) {
    for (const [target, rule] of Object.entries(FIELD_READS[viewer]) as ['own' | 'team' | 'other', Record<RestrictedField, Visibility>][]) {
      for (const f of RESTRICTED) readCases.push([viewer, target, f, rule[f]]);
    }
  }

  test.each(readCases)('user(id): %s reading %s → %s %s, name and e-mail shown', async (viewer, target, field, visibility) => {
    const id = t.world.users[TARGET[viewer][target]].id;
    const want = await truth(id);
    const res = await t.gql(ONE(field), { id: String(id) }, { as: viewer });
    expect(res.errors).toBeUndefined();
    expect(res.data?.user).toBeTruthy();
    expectField(res.data.user, want, field, visibility);
  });

  const listCases: [Viewer, RestrictedField][] = VIEWERS.flatMap((v) => RESTRICTED.map((f) => [v, f] as [Viewer, RestrictedField]));
  test.each(listCases)('users list: %s asking for %s gets every row, each by the field rules', async (viewer, field) => {
    const res = await t.gql(LIST(field), {}, { as: viewer });
    expect(res.errors).toBeUndefined();
    const rows: Record<string, unknown>[] = res.data?.users?.items ?? [];
    expect(rows).toHaveLength(res.data?.users?.total);
    for (const [target, rule] of Object.entries(FIELD_READS[viewer]) as ['own' | 'team' | 'other', Record<RestrictedField, Visibility>][]) {
      const id = t.world.users[TARGET[viewer][target]].id;
      const row = rows.find((r) => Number(r.id) === id);
      expect(row).toBeDefined();
      expectField(row!, await truth(id), field, rule[field]);
    }
  });

  describe('writes on oneself', () => {
    const writers: Viewer[] = ['agentA1', 'leaderA'];
    const cases: [Viewer, string, FieldWrite][] = [];
    for (const w of writers) for (const c of FIELD_WRITES) cases.push([w, c.label, c]);

    test.each(cases)('%s updateUser(self, %s)', async (viewer, _label, c) => {
      const id = t.world.users[viewer].id;
      const before = await snapshot(t, 'User', id);
      const input = c.input(ids);
      const res = await t.gql(Q.updateUser, { id: String(id), v: before.row.version, i: input }, { as: viewer });
      if (c.outcome === 'allow') {
        expectOk(res);
        const after = await snapshot(t, 'User', id);
        expect(after.row.version).toBe(before.row.version + 1);
        for (const [k, v] of Object.entries(input)) expect(after.row[k]).toBe(v);
        expect(res.data.updateUser).toMatchObject(input);
        return;
      }
      expectError(res, 'FORBIDDEN', c.outcome.FORBIDDEN);
      expect(await snapshot(t, 'User', id)).toEqual(before);
      // The session is untouched too (a password or active change would have ended it).
      expectOk(await t.gql('{ me { id } }', {}, { as: viewer }));
    });

    test('an administrator, who may change everything else, may not change its own roles: FORBIDDEN naming input.roleIds', async () => {
      const id = t.world.users.admin.id;
      const before = await snapshot(t, 'User', id);
      const res = await t.gql(Q.updateUser, { id: String(id), v: before.row.version, i: { name: 'Still Admin', roleIds: [ids.agentRole] } }, { as: 'admin' });
      expectError(res, 'FORBIDDEN', 'input.roleIds');
      expect(await snapshot(t, 'User', id)).toEqual(before);
    });

    test('an agent may not change a teammate at all, not even the fields it may change on itself', async () => {
      const id = t.world.users.agentA2.id;
      const before = await snapshot(t, 'User', id);
      const res = await t.gql(Q.updateUser, { id: String(id), v: before.row.version, i: { name: 'Hacked', phone: phone() } }, { as: 'agentA1' });
      expectError(res, 'FORBIDDEN');
      expect(await snapshot(t, 'User', id)).toEqual(before);
    });
  });
});

// =======================================================================================
describe('roles are data', () => {
  let t: TestApp;
  let agentRoleId: number;
  let customRoleId: number;
  let b1Token: string;
  let oldB1Token: string;
  const GRANTS = [
    { subject: 'User', action: 'read', scope: 'all' },
    { subject: 'Team', action: 'update', scope: 'team', fields: ['name', 'description'] },
  ];
  const allUsers = async () => sortIds((await t.sql(`select id from users where archived_at is null`)).map((r) => r.id));

  let created: GqlResult;
  let assigned: GqlResult;
  let baseline: GqlResult;

  /** Team B, its leader and its members, as agentB1's "team" scope sees them. */
  const B1_TEAM_SQL = `select u.id from users u where u.archived_at is null and (u.id = $1
       or u.id in (select tm.user_id from team_members tm join teams t on t.id = tm.team_id
                    where t.archived_at is null and (t.leader_id = $1 or exists (select 1 from team_members m where m.team_id = t.id and m.user_id = $1)))
       or u.id in (select t.leader_id from teams t
                    where t.archived_at is null and (t.leader_id = $1 or exists (select 1 from team_members m where m.team_id = t.id and m.user_id = $1))))`;

  beforeAll(async () => {
    t = await startTestApp();
    agentRoleId = await roleIdOf(t, 'agent');
    oldB1Token = t.world.users.agentB1.token;
    baseline = await t.gql(Q.users, {}, { as: 'agentB1' });
    // The administrator creates the role...
    created = await t.gql(Q.createRole, { i: { name: 'Supervisor light', description: 'Sees everyone, renames own team', grants: GRANTS } }, { as: 'admin' });
    customRoleId = Number(created.data?.createRole?.id);
    // ...and gives it to agentB1 next to the agent role; agentB1 signs in again.
    const id = t.world.users.agentB1.id;
    assigned = await t.gql(
      'mutation($id: ID!, $v: Int!, $i: UpdateUserInput!) { updateUser(id: $id, version: $v, input: $i) { id roles { id } } }',
      { id: String(id), v: await versionOf(t, 'User', id), i: { roleIds: [String(agentRoleId), String(customRoleId)] } },
      { as: 'admin' },
    );
    const again = await t.signIn(t.world.users.agentB1.email);
    b1Token = again.data?.signIn?.token;
  });
  afterAll(() => t.stop());

  // Tests that add denials set the role's grants themselves; every test starts from GRANTS.
  beforeEach(async () => {
    if (customRoleId) await t.sql(`update roles set grants = $1::jsonb where id = $2`, [JSON.stringify(GRANTS), customRoleId]);
  });

  test('an administrator creates a role from grants', async () => {
    expectOk(created);
    expect(created.data.createRole.builtIn).toBe(false);
    expect(created.data.createRole.grants).toEqual([
      { subject: 'User', action: 'read', scope: 'all', fields: null, inverted: false },
      { subject: 'Team', action: 'update', scope: 'team', fields: ['name', 'description'], inverted: false },
    ]);
    const [row] = await t.sql(`select grants, built_in from roles where id = $1`, [customRoleId]);
    expect(row).toEqual({ grants: GRANTS, built_in: false });
  });

  test('before the role, agentB1 listed only itself and its team', async () => {
    expectOk(baseline);
    const expected = sortIds((await t.sql(B1_TEAM_SQL, [t.world.users.agentB1.id])).map((r) => r.id));
    expect(sortIds(baseline.data.users.items.map((u: { id: string }) => u.id))).toEqual(expected);
    expect(expected.length).toBeLessThan((await allUsers()).length);
  });

  test('the administrator assigned it to agentB1 next to the agent role', async () => {
    expectOk(assigned);
    expect(b1Token).toBeTruthy();
    expect(sortIds(assigned.data.updateUser.roles.map((r: { id: string }) => r.id))).toEqual(sortIds([agentRoleId, customRoleId]));
    const pivot = await t.sql(`select role_id from user_roles where user_id = $1`, [t.world.users.agentB1.id]);
    expect(sortIds(pivot.map((r) => r.role_id))).toEqual(sortIds([agentRoleId, customRoleId]));
  });

  test('agentB1 now lists every user (with a fresh sign-in and with its old token alike)', async () => {
    const expected = await allUsers();
    for (const token of [b1Token, oldB1Token]) {
      const res = await t.gql(Q.users, {}, { token });
      expectOk(res);
      expect(sortIds(res.data.users.items.map((u: { id: string }) => u.id))).toEqual(expected);
      expect(res.data.users.total).toBe(expected.length);
    }
  });

  test('reading every user includes their restricted fields; reading is not changing', async () => {
    const a1 = t.world.users.agentA1.id;
    const res = await t.gql('query($id: ID!) { user(id: $id) { id lastSignInAt } }', { id: String(a1) }, { token: b1Token });
    expectOk(res);
    expect(res.data.user.lastSignInAt).not.toBeNull();
    const before = await snapshot(t, 'User', a1);
    const upd = await t.gql(Q.updateUser, { id: String(a1), v: before.row.version, i: { phone: phone() } }, { token: b1Token });
    expectError(upd, 'FORBIDDEN');
    expect(await snapshot(t, 'User', a1)).toEqual(before);
  });

  test('agentB1 renames team B (name and description)', async () => {
    const B = t.world.teams.B;
    const v = await versionOf(t, 'Team', B);
    const res = await t.gql(Q.updateTeam, { id: String(B), v, i: { name: 'Takım B (yeni)', description: 'renamed by its agent' } }, { token: b1Token });
    expectOk(res);
    const [row] = await t.sql(`select name, description, version from teams where id = $1`, [B]);
    expect(row).toEqual({ name: 'Takım B (yeni)', description: 'renamed by its agent', version: v + 1 });
  });

  test('agentB1 cannot rename team A, which it cannot even read: NOT_FOUND', async () => {
    const A = t.world.teams.A;
    const before = await snapshot(t, 'Team', A);
    const res = await t.gql(Q.updateTeam, { id: String(A), v: before.row.version, i: { name: 'Takım A (ele geçirildi)' } }, { token: b1Token });
    expectError(res, 'NOT_FOUND');
    expect(await snapshot(t, 'Team', A)).toEqual(before);
  });

  test.each([
    ['leaderId', (w: TestApp) => ({ leaderId: String(w.world.users.agentB1.id) }), 'input.leaderId'],
    ['memberIds', (w: TestApp) => ({ memberIds: [String(w.world.users.agentB1.id)] }), 'input.memberIds'],
    ['active', () => ({ active: false }), 'input.active'],
    ['name + leaderId', (w: TestApp) => ({ name: 'Takım B (tekrar)', leaderId: String(w.world.users.agentB1.id) }), 'input.leaderId'],
  ])('agentB1 cannot change team B %s: FORBIDDEN naming the input field, nothing changes', async (_label, input, field) => {
    const B = t.world.teams.B;
    const before = await snapshot(t, 'Team', B);
    const res = await t.gql(Q.updateTeam, { id: String(B), v: before.row.version, i: input(t) }, { token: b1Token });
    expectError(res, 'FORBIDDEN', field);
    expect(await snapshot(t, 'Team', B)).toEqual(before);
  });

  test('an inverted grant denies: no more team updates', async () => {
    const v = await versionOf(t, 'Role', customRoleId);
    const grants = [...GRANTS, { subject: 'Team', action: 'update', scope: 'all', inverted: true }];
    const upd = await t.gql(Q.updateRole, { id: String(customRoleId), v, i: { grants } }, { as: 'admin' });
    expectOk(upd);
    expect(upd.data.updateRole.grants[2]).toEqual({ subject: 'Team', action: 'update', scope: 'all', fields: null, inverted: true });
    const B = t.world.teams.B;
    const before = await snapshot(t, 'Team', B);
    const res = await t.gql(Q.updateTeam, { id: String(B), v: before.row.version, i: { description: 'denied' } }, { token: b1Token });
    expectError(res, 'FORBIDDEN');
    expect(await snapshot(t, 'Team', B)).toEqual(before);
  });

  test('an inverted grant with a scope hides exactly those rows, in lists and in reads', async () => {
    const v = await versionOf(t, 'Role', customRoleId);
    const grants = [...GRANTS, { subject: 'User', action: 'read', scope: 'team', inverted: true }];
    expectOk(await t.gql(Q.updateRole, { id: String(customRoleId), v, i: { grants } }, { as: 'admin' }));
    const team = new Set((await t.sql(B1_TEAM_SQL, [t.world.users.agentB1.id])).map((r) => r.id));
    const expected = (await allUsers()).filter((id) => !team.has(id));
    const res = await t.gql(Q.users, {}, { token: b1Token });
    expectOk(res);
    expect(sortIds(res.data.users.items.map((u: { id: string }) => u.id))).toEqual(expected);
    expect(res.data.users.total).toBe(expected.length);
    expect(expected).toContain(t.world.users.agentA1.id);
    expectError(await t.gql(Q.user, { id: String(t.world.users.leaderB.id) }, { token: b1Token }), 'NOT_FOUND');
    expectOk(await t.gql(Q.user, { id: String(t.world.users.agentA1.id) }, { token: b1Token }));
  });

  describe('invalid grants are refused with BAD_USER_INPUT naming the path, and nothing is written', () => {
    const OK = { subject: 'User', action: 'read', scope: 'own' };
    const INVALID: [string, Record<string, unknown>[], string][] = [
      ['unknown subject', [{ subject: 'Spaceship', action: 'read', scope: 'all' }], 'input.grants.0.subject'],
      ['unknown subject at index 1', [OK, { subject: 'Spaceship', action: 'read', scope: 'all' }], 'input.grants.1.subject'],
      ['unknown action', [{ subject: 'User', action: 'teleport', scope: 'all' }], 'input.grants.0.action'],
      ['unknown field', [{ subject: 'User', action: 'read', scope: 'all', fields: ['name', 'salary'] }], 'input.grants.0.fields'],
      ['fields on a subject without field rules', [{ subject: 'Role', action: 'read', scope: 'all', fields: ['name'] }], 'input.grants.0.fields'],
      ['bad scope', [{ subject: 'User', action: 'read', scope: 'galaxy' }], 'input.grants.0.scope'],
      ['bad scope at index 1', [OK, { subject: 'Team', action: 'read', scope: 'everyone' }], 'input.grants.1.scope'],
    ];

    test.each(INVALID)('createRole: %s', async (_label, grants, field) => {
      const before = await t.sql(`select id, name, grants, version from roles order by id`);
      const res = await t.gql(Q.createRole, { i: { name: `Invalid ${uniq()}`, grants } }, { as: 'admin' });
      expectError(res, 'BAD_USER_INPUT', field);
      expect(await t.sql(`select id, name, grants, version from roles order by id`)).toEqual(before);
    });

    test.each(INVALID)('updateRole: %s', async (_label, grants, field) => {
      const before = await snapshot(t, 'Role', customRoleId);
      const res = await t.gql(Q.updateRole, { id: String(customRoleId), v: before.row.version, i: { name: 'Renamed on the way', grants } }, { as: 'admin' });
      expectError(res, 'BAD_USER_INPUT', field);
      expect(await snapshot(t, 'Role', customRoleId)).toEqual(before);
    });
  });

  test.each(['administrator', 'team_leader', 'agent'])('the built-in role %s cannot be archived', async (key) => {
    const id = await roleIdOf(t, key);
    const before = await snapshot(t, 'Role', id);
    const res = await t.gql(Q.archiveRole, { id: String(id) }, { as: 'admin' });
    expectError(res, 'BAD_USER_INPUT', 'id');
    expect(await snapshot(t, 'Role', id)).toEqual(before);
  });

  test("the administrator role's grants cannot be changed", async () => {
    const id = await roleIdOf(t, 'administrator');
    const before = await snapshot(t, 'Role', id);
    const res = await t.gql(Q.updateRole, { id: String(id), v: before.row.version, i: { grants: [{ subject: 'User', action: 'read', scope: 'own' }] } }, { as: 'admin' });
    expectError(res, 'BAD_USER_INPUT', 'input.grants');
    expect(await snapshot(t, 'Role', id)).toEqual(before);
    // The administrator still manages everything.
    const list = await t.gql(Q.users, {}, { as: 'admin' });
    expect(list.data.users.total).toBe((await allUsers()).length);
  });
});

// =======================================================================================
describe('optimistic locking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  test.each([1, 2, 3])('two concurrent updateTeam with the same version: one wins, the other gets CONFLICT (round %i)', async (round) => {
    const A = t.world.teams.A;
    const v = await versionOf(t, 'Team', A);
    const inputs = [`first ${round}`, `second ${round}`];
    const results = await Promise.all(inputs.map((d) => t.gql(Q.updateTeam, { id: String(A), v, i: { description: d } }, { as: 'admin' })));
    const ok = results.filter((r) => !r.errors);
    const failed = results.filter((r) => r.errors);
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(codeOf(failed[0])).toBe('CONFLICT');
    expect(failed[0].errors![0].extensions!.currentVersion).toBe(v + 1);
    const [row] = await t.sql(`select description, version from teams where id = $1`, [A]);
    expect(row).toEqual({ description: ok[0].data.updateTeam.description, version: v + 1 });
  });

  test('two concurrent updateTeam that both pass the version check before either saves: one wins, the other gets CONFLICT', async () => {
    // Holding the row lock makes both requests read version v, then queue on the UPDATE:
    // the interleaving Promise.all produces only sometimes, produced every time.
    const A = t.world.teams.A;
    const v = await versionOf(t, 'Team', A);
    const blocker = new pg.Client({ connectionString: t.dbUrl });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('select id from teams where id = $1 for update', [A]);
      const pending = Promise.all(['left', 'right'].map((d) => t.gql(Q.updateTeam, { id: String(A), v, i: { description: d } }, { as: 'admin' })));
      const deadline = Date.now() + 10_000;
      for (;;) {
        const [{ n }] = await t.sql(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if (n >= 2) break;
        if (Date.now() > deadline) throw new Error('the two updates never queued on the row lock');
        await new Promise((r) => setTimeout(r, 20));
      }
      await blocker.query('commit');
      const results = await pending;
      const ok = results.filter((r) => !r.errors);
      const failed = results.filter((r) => r.errors);
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect({ code: codeOf(failed[0]), currentVersion: failed[0].errors![0].extensions!.currentVersion }).toEqual({ code: 'CONFLICT', currentVersion: v + 1 });
      const [row] = await t.sql(`select description, version from teams where id = $1`, [A]);
      expect(row).toEqual({ description: ok[0].data.updateTeam.description, version: v + 1 });
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      await blocker.end();
    }
  });

  test.each([
    ['Team', Q.updateTeam, { description: 'stale write' }],
    ['User', Q.updateUser, { phone: '+90 555 000 00 00' }],
    ['Role', Q.updateRole, { description: 'stale write' }],
  ] as [Subject, string, Record<string, unknown>][])('a stale version on %s gets CONFLICT with the current version, and nothing changes', async (subject, doc, input) => {
    const id = subject === 'Team' ? t.world.teams.B : subject === 'User' ? t.world.users.agentB1.id : await roleIdOf(t, 'agent');
    const v = await versionOf(t, subject, id);
    // Someone else saves first.
    const first = await t.gql(doc, { id: String(id), v, i: subject === 'User' ? { phone: phone() } : { description: `first ${uniq()}` } }, { as: 'admin' });
    expectOk(first);
    const before = await snapshot(t, subject, id);
    const res = await t.gql(doc, { id: String(id), v, i: input }, { as: 'admin' });
    expectError(res, 'CONFLICT');
    expect(res.errors![0].extensions!.currentVersion).toBe(v + 1);
    expect(await snapshot(t, subject, id)).toEqual(before);
  });
});

// =======================================================================================
describe('anonymous callers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  /** Every identity operation with valid arguments (so only the missing sign-in can refuse it). */
  const OPERATIONS: Record<string, (t: TestApp) => [string, Record<string, unknown>]> = {
    me: () => ['{ me { id } }', {}],
    myPermissions: () => ['{ myPermissions { action subject } }', {}],
    users: () => [Q.users, {}],
    user: (w) => [Q.user, { id: String(w.world.users.agentA1.id) }],
    teams: () => [Q.teams, {}],
    team: (w) => [Q.team, { id: String(w.world.teams.A) }],
    roles: () => [Q.roles, {}],
    role: () => [Q.role, { id: '1' }],
    signOut: () => ['mutation { signOut }', {}],
    changePassword: () => ['mutation($i: ChangePasswordInput!) { changePassword(input: $i) }', { i: { currentPassword: PASSWORD, newPassword: 'another-password-2' } }],
    revokeUserSessions: (w) => ['mutation($u: ID!) { revokeUserSessions(userId: $u) }', { u: String(w.world.users.agentA1.id) }],
    createUser: () => [Q.createUser, { i: { name: 'Anon', email: 'anon@test.local', password: PASSWORD } }],
    updateUser: (w) => [Q.updateUser, { id: String(w.world.users.agentA1.id), v: 1, i: { name: 'Anon' } }],
    archiveUser: (w) => [Q.archiveUser, { id: String(w.world.users.agentA1.id) }],
    createTeam: () => [Q.createTeam, { i: { name: 'Anon team' } }],
    updateTeam: (w) => [Q.updateTeam, { id: String(w.world.teams.A), v: 1, i: { name: 'Anon' } }],
    archiveTeam: (w) => [Q.archiveTeam, { id: String(w.world.teams.A) }],
    createRole: () => [Q.createRole, { i: { name: 'Anon role', grants: [{ subject: 'all', action: 'manage', scope: 'all' }] } }],
    updateRole: () => [Q.updateRole, { id: '1', v: 1, i: { description: 'anon' } }],
    archiveRole: () => [Q.archiveRole, { id: '1' }],
  };

  test('the table covers every query and mutation of the identity module except signIn', () => {
    const storage = getMetadataStorage();
    const names = [...storage.queries, ...storage.mutations].filter((m) => identityModule.resolvers.includes(m.target)).map((m) => m.schemaName);
    expect(names.length).toBeGreaterThan(10);
    expect([...Object.keys(OPERATIONS), 'signIn'].sort()).toEqual([...new Set(names)].sort());
  });

  test.each(Object.keys(OPERATIONS))('%s → UNAUTHENTICATED, nothing changes', async (name) => {
    const tables = ['users', 'teams', 'roles', 'sessions', 'user_roles', 'team_members'];
    const dump = async () => Promise.all(tables.map((x) => t.sql(`select * from ${x} order by 1, 2`)));
    const before = await dump();
    const [doc, vars] = OPERATIONS[name](t);
    const res = await t.gql(doc, vars);
    expectError(res, 'UNAUTHENTICATED');
    expect(await dump()).toEqual(before);
  });

  test('signIn is the one operation open to anonymous callers', async () => {
    const res = await t.signIn(t.world.users.agentA1.email);
    expectOk(res);
    expect(res.data.signIn.token).toBeTruthy();
  });
});

// =======================================================================================
describe('bad input on createUser and createTeam', () => {
  let t: TestApp;
  let agentRole: string;
  beforeAll(async () => {
    t = await startTestApp();
    agentRole = String(await roleIdOf(t, 'agent'));
  });
  afterAll(() => t.stop());

  const TABLES = ['users', 'teams', 'user_roles', 'team_members'];
  const counts = async () => Object.fromEntries(await Promise.all(TABLES.map(async (x) => [x, await count(t, x)] as const)));

  const USER_CASES: [string, (w: TestApp, agentRole: string) => Record<string, unknown>, string][] = [
    ['empty name', () => ({ name: '' }), 'input.name'],
    ['blank name', () => ({ name: '   ' }), 'input.name'],
    ['invalid e-mail', () => ({ email: 'not-an-email' }), 'input.email'],
    ['duplicate e-mail in another case', (w) => ({ email: w.world.users.agentA1.email.toUpperCase() }), 'input.email'],
    ['duplicate e-mail of the administrator', (w) => ({ email: w.world.users.admin.email.replace('admin', 'ADMIN') }), 'input.email'],
    ['short password', () => ({ password: 'short' }), 'input.password'],
    ['unknown role id', () => ({ roleIds: ['999999'] }), 'input.roleIds.0'],
    ['unknown role id after a good one', (_w, r) => ({ roleIds: [r, '999999'] }), 'input.roleIds.1'],
    ['unknown role id after a repeated one', (_w, r) => ({ roleIds: [r, r, '999999'] }), 'input.roleIds.2'],
    ['non-numeric role id', () => ({ roleIds: ['abc'] }), 'input.roleIds.0'],
    ['unknown team id', () => ({ teamIds: ['999999'] }), 'input.teamIds.0'],
    ['non-numeric team id', (w) => ({ teamIds: [String(w.world.teams.A), '12abc'] }), 'input.teamIds.1'],
    ['zero as team id', () => ({ teamIds: ['0'] }), 'input.teamIds.0'],
    ['invalid CIDR prefix', () => ({ allowedIpRanges: ['10.0.0.0/33'] }), 'input.allowedIpRanges.0'],
    ['not an address', () => ({ allowedIpRanges: ['10.0.0.0/8', 'intranet'] }), 'input.allowedIpRanges.1'],
  ];

  test.each(USER_CASES)('createUser with %s → BAD_USER_INPUT naming the field, nothing written', async (_label, patch, field) => {
    const before = await counts();
    const input = { name: 'Yeni Kişi', email: `new.${uniq()}@test.local`, password: PASSWORD, roleIds: [agentRole], ...patch(t, agentRole) };
    const res = await t.gql(Q.createUser, { i: input }, { as: 'admin' });
    expectError(res, 'BAD_USER_INPUT', field);
    expect(await counts()).toEqual(before);
  });

  const TEAM_CASES: [string, (w: TestApp) => Record<string, unknown>, string][] = [
    ['empty name', () => ({ name: '' }), 'input.name'],
    ['blank name', () => ({ name: '   ' }), 'input.name'],
    ['duplicate name in another case', () => ({ name: 'TAKIM A' }), 'input.name'],
    ['unknown leader id', () => ({ leaderId: '999999' }), 'input.leaderId'],
    ['non-numeric leader id', () => ({ leaderId: 'x1' }), 'input.leaderId'],
    ['unknown member id', (w) => ({ memberIds: [String(w.world.users.agentA1.id), '999999'] }), 'input.memberIds.1'],
    ['non-numeric member id', () => ({ memberIds: ['one'] }), 'input.memberIds.0'],
  ];

  test.each(TEAM_CASES)('createTeam with %s → BAD_USER_INPUT naming the field, nothing written', async (_label, patch, field) => {
    const before = await counts();
    const res = await t.gql(Q.createTeam, { i: { name: `Yeni Takım ${uniq()}`, ...patch(t) } }, { as: 'admin' });
    expectError(res, 'BAD_USER_INPUT', field);
    expect(await counts()).toEqual(before);
  });

  test('the valid versions of the same inputs succeed (the refusals are about the bad values)', async () => {
    const u = await t.gql(Q.createUser, { i: { name: 'Yeni Kişi', email: `New.${uniq()}@Test.Local`, password: PASSWORD, roleIds: [agentRole], teamIds: [String(t.world.teams.A)], allowedIpRanges: ['10.0.0.0/8', '192.0.2.7'] } }, { as: 'admin' });
    expectOk(u);
    expect(u.data.createUser.email).toBe(u.data.createUser.email.toLowerCase());
    const team = await t.gql(Q.createTeam, { i: { name: `Takım ${uniq()}`, leaderId: u.data.createUser.id, memberIds: [String(t.world.users.agentA1.id)] } }, { as: 'admin' });
    expectOk(team);
  });
});

// =======================================================================================
describe('memberships: teams and roles set through createUser, updateUser and updateTeam take effect', () => {
  let t: TestApp;
  let agentRole: string;
  let readAllRole: string;
  let userId: string;
  let token: string;
  const A = () => String(t.world.teams.A);
  const B = () => String(t.world.teams.B);
  const READ_BACK = 'query($id: ID!) { user(id: $id) { id version roles { id } teams { id } } }';
  const UPDATE =
    'mutation($id: ID!, $v: Int!, $i: UpdateUserInput!) { updateUser(id: $id, version: $v, input: $i) { id version roles { id } teams { id } } }';
  const UPDATE_TEAM = 'mutation($id: ID!, $v: Int!, $i: UpdateTeamInput!) { updateTeam(id: $id, version: $v, input: $i) { id version members { id } } }';
  const MY_TEAMS = 'query { teams(page: { limit: 100 }) { total items { id } } }';
  const ids = (items: { id: string }[]) => sortIds(items.map((x) => x.id));

  /** What the user itself sees over HTTP, with the token it signed in with before the change. */
  async function seen(tok = token) {
    const teams = await t.gql(MY_TEAMS, {}, { token: tok });
    const users = await t.gql(Q.users, {}, { token: tok });
    expect(teams.errors).toBeUndefined();
    expect(users.errors).toBeUndefined();
    return { teams: ids(teams.data.teams.items), users: ids(users.data.users.items) };
  }
  const membersOf = async (...teams: string[]) =>
    sortIds((await t.sql(`select distinct user_id from team_members where team_id = any($1::int[]) union select leader_id from teams where id = any($1::int[]) and leader_id is not null`, [teams.map(Number)])).map((r) => r.user_id ?? r.leader_id));
  const pivot = async (id: string) => ({
    roles: sortIds((await t.sql(`select role_id from user_roles where user_id = $1`, [id])).map((r) => r.role_id)),
    teams: sortIds((await t.sql(`select team_id from team_members where user_id = $1`, [id])).map((r) => r.team_id)),
  });
  async function update(input: Record<string, unknown>, id = userId) {
    const res = await t.gql(UPDATE, { id, v: await versionOf(t, 'User', id), i: input }, { as: 'admin' });
    expectOk(res);
    const back = await t.gql(READ_BACK, { id }, { as: 'admin' });
    expectOk(back);
    expect({ roles: ids(back.data.user.roles), teams: ids(back.data.user.teams) }).toEqual({ roles: ids(res.data.updateUser.roles), teams: ids(res.data.updateUser.teams) });
    return { roles: ids(back.data.user.roles), teams: ids(back.data.user.teams) };
  }

  beforeAll(async () => {
    t = await startTestApp();
    agentRole = String(await roleIdOf(t, 'agent'));
    const role = await t.gql(Q.createRole, { i: { name: 'Herkesi gören', grants: [{ subject: 'User', action: 'read', scope: 'all' }] } }, { as: 'admin' });
    expectOk(role);
    readAllRole = role.data.createRole.id;
  });
  afterAll(() => t.stop());

  test('createUser with roles and a team: read back, and the new user sees its team', async () => {
    const res = await t.gql(Q.createUser, { i: { name: 'Deniz Üye', email: 'deniz.uye@test.local', password: PASSWORD, roleIds: [agentRole], teamIds: [A()] } }, { as: 'admin' });
    expectOk(res);
    userId = res.data.createUser.id;
    expect(await pivot(userId)).toEqual({ roles: [Number(agentRole)], teams: [Number(A())] });
    const back = await t.gql(READ_BACK, { id: userId }, { as: 'admin' });
    expect({ roles: ids(back.data.user.roles), teams: ids(back.data.user.teams) }).toEqual({ roles: [Number(agentRole)], teams: [Number(A())] });
    const signIn = await t.signIn('deniz.uye@test.local');
    expectOk(signIn);
    token = signIn.data.signIn.token;
    expect(await seen()).toEqual({ teams: [Number(A())], users: await membersOf(A()) });
  });

  test('updateUser adds a team to a user already in one', async () => {
    expect(await update({ teamIds: [A(), B()] })).toEqual({ roles: [Number(agentRole)], teams: sortIds([A(), B()]) });
    expect(await pivot(userId)).toEqual({ roles: [Number(agentRole)], teams: sortIds([A(), B()]) });
    expect(await seen()).toEqual({ teams: sortIds([A(), B()]), users: await membersOf(A(), B()) });
  });

  test('updateUser replaces the teams: the old team and its members disappear from what the user sees', async () => {
    expect((await update({ teamIds: [B()] })).teams).toEqual([Number(B())]);
    const now = await seen();
    expect(now).toEqual({ teams: [Number(B())], users: await membersOf(B()) });
    expect(now.users).not.toContain(t.world.users.agentA1.id);
  });

  test('updateUser with teamIds: [] removes every team: the user sees only itself', async () => {
    expect((await update({ teamIds: [] })).teams).toEqual([]);
    expect((await pivot(userId)).teams).toEqual([]);
    expect(await seen()).toEqual({ teams: [], users: [Number(userId)] });
  });

  test('updateUser adds, replaces and removes roles, and the user’s access follows at once', async () => {
    expect((await update({ roleIds: [agentRole, readAllRole] })).roles).toEqual(sortIds([agentRole, readAllRole]));
    const everyone = sortIds((await t.sql(`select id from users where archived_at is null`)).map((r) => r.id));
    expect((await seen()).users).toEqual(everyone);
    expect((await update({ roleIds: [agentRole] })).roles).toEqual([Number(agentRole)]);
    expect((await seen()).users).toEqual([Number(userId)]);
    expect((await update({ roleIds: [readAllRole] })).roles).toEqual([Number(readAllRole)]);
    expect((await seen()).users).toEqual(everyone);
  });

  test('updateUser with roleIds: [] removes every role: nothing is visible any more', async () => {
    expect((await seen()).users.length).toBeGreaterThan(1);
    expect((await update({ roleIds: [] })).roles).toEqual([]);
    expect((await pivot(userId)).roles).toEqual([]);
    const perms = await t.gql('query { myPermissions { action subject } }', {}, { token });
    expect(perms.data.myPermissions).toEqual([]);
    const users = await t.gql(Q.users, {}, { token });
    expect(users.data?.users?.items ?? []).toEqual([]);
    expect(codeOf(await t.gql(Q.user, { id: userId }, { token }))).toBe('NOT_FOUND');
    await update({ roleIds: [agentRole] });
  });

  test('updateUser refuses to take a leader out of the team it leads, naming the field, and changes nothing', async () => {
    const leader = String(t.world.users.leaderA.id);
    const before = await snapshot(t, 'User', Number(leader));
    const res = await t.gql(UPDATE, { id: leader, v: before.row.version, i: { teamIds: [B()] } }, { as: 'admin' });
    expectError(res, 'BAD_USER_INPUT', 'input.teamIds');
    expect(await snapshot(t, 'User', Number(leader))).toEqual(before);
  });

  test('updateTeam adds and removes members, and the members’ access follows', async () => {
    const team = A();
    const add = await t.gql(UPDATE_TEAM, { id: team, v: await versionOf(t, 'Team', team), i: { memberIds: [String(t.world.users.agentA1.id), String(t.world.users.agentA2.id), userId] } }, { as: 'admin' });
    expectOk(add);
    expect(ids(add.data.updateTeam.members)).toEqual(sortIds([t.world.users.leaderA.id, t.world.users.agentA1.id, t.world.users.agentA2.id, userId]));
    expect(await seen()).toEqual({ teams: [Number(team)], users: await membersOf(team) });
    const remove = await t.gql(UPDATE_TEAM, { id: team, v: await versionOf(t, 'Team', team), i: { memberIds: [String(t.world.users.agentA2.id)] } }, { as: 'admin' });
    expectOk(remove);
    expect(ids(remove.data.updateTeam.members)).toEqual(sortIds([t.world.users.leaderA.id, t.world.users.agentA2.id]));
    expect(await seen()).toEqual({ teams: [], users: [Number(userId)] });
    expect((await seen(t.world.users.agentA1.token)).teams).toEqual([]);
    const empty = await t.gql(UPDATE_TEAM, { id: team, v: await versionOf(t, 'Team', team), i: { memberIds: [] } }, { as: 'admin' });
    expectOk(empty);
    // The leader stays a member of the team it leads (and the answer says so).
    expect(ids(empty.data.updateTeam.members)).toEqual([t.world.users.leaderA.id]);
    expect((await seen(t.world.users.agentA2.token)).teams).toEqual([]);
    const back = await t.gql('query($id: ID!) { team(id: $id) { members { id } } }', { id: team }, { as: 'admin' });
    expect(ids(back.data.team.members)).toEqual([t.world.users.leaderA.id]);
  });
});
