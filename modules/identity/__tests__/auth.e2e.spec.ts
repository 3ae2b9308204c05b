import { ADMIN_EMAIL, codeOf, PASSWORD, startTestApp, type TestApp } from '../../../test/harness';

const ME = '{ me { id email name } }';

describe('sign-in, sessions, throttling and IP restriction', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCK_MINUTES: '10', TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterAll(() => t.stop());

  it('signs in with e-mail (any case) and password, and answers me', async () => {
    const res = await t.signIn(ADMIN_EMAIL.toUpperCase());
    expect(res.errors).toBeUndefined();
    const { token, expiresAt, user } = res.data.signIn;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(user.email).toBe(ADMIN_EMAIL);
    const me = await t.gql(ME, {}, { token });
    expect(me.data.me.email).toBe(ADMIN_EMAIL);
  });

  it('stores argon2id hashes with at least m=19456, t=2, p=1 and only a hash of the token', async () => {
    const [row] = await t.sql(`select password_hash from users where email = $1`, [ADMIN_EMAIL]);
    const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(row.password_hash);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(19456);
    expect(Number(m![2])).toBeGreaterThanOrEqual(2);
    expect(Number(m![3])).toBeGreaterThanOrEqual(1);
    const token = t.world.users.admin.token;
    const leaked = await t.sql(`select 1 from sessions where token_hash = $1`, [token]);
    expect(leaked).toHaveLength(0);
  });

  it('answers an unknown e-mail and a wrong password identically', async () => {
    const unknown = await t.signIn('nobody@test.local', 'whatever-password');
    const wrong = await t.signIn('agent.a2@test.local', 'wrong-password');
    expect(codeOf(unknown)).toBe('UNAUTHENTICATED');
    expect(unknown.errors).toEqual(wrong.errors);
    expect(unknown.status).toBe(wrong.status);
  });

  it('rejects malformed input with the field named and writes nothing', async () => {
    const before = await t.sql(`select count(*)::int as n from sessions`);
    const bad = await t.signIn('not-an-email', PASSWORD);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0].extensions!.field).toBe('input.email');
    const empty = await t.signIn('agent.a1@test.local', '');
    expect(empty.errors![0].extensions!.field).toBe('input.password');
    const wrongType = await t.gql('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { email: 5, password: true } });
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');
    const unknownVar = await t.gql('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { email: 'a@b.co', password: 'x', admin: true } });
    expect(codeOf(unknownVar)).toBe('BAD_USER_INPUT');
    const tooLong = await t.signIn(`${'a'.repeat(400)}@test.local`, PASSWORD);
    expect(codeOf(tooLong)).toBe('BAD_USER_INPUT');
    const after = await t.sql(`select count(*)::int as n from sessions`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('throttles failed attempts per account, the same for unknown e-mails, and keeps the lock even for the right password', async () => {
    const email = 'agent.b1@test.local';
    for (let i = 0; i < 3; i++) expect(codeOf(await t.signIn(email, 'wrong-password'))).toBe('UNAUTHENTICATED');
    const locked = await t.signIn(email, PASSWORD);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) await t.signIn('ghost@test.local', 'wrong-password');
    const ghost = await t.signIn('ghost@test.local', 'wrong-password');
    expect(codeOf(ghost)).toBe('RATE_LIMITED');
    expect(ghost.errors![0].message).toBe(locked.errors![0].message);
    // Other accounts are not affected.
    expect((await t.signIn('agent.a1@test.local')).data.signIn.token).toBeTruthy();
    // The lock ends.
    await t.sql(`update login_throttles set locked_until = now() - interval '1 second' where key = $1`, [email]);
    expect((await t.signIn(email)).data.signIn.token).toBeTruthy();
  });

  it('refuses a disabled user, and ends the sessions of a user when disabled', async () => {
    const { token } = (await t.signIn('agent.a2@test.local')).data.signIn;
    const id = t.world.users.agentA2.id;
    const [{ version }] = await t.sql(`select version from users where id = $1`, [id]);
    const upd = await t.gql('mutation($id: ID!, $v: Int!) { updateUser(id: $id, version: $v, input: { active: false }) { active } }', { id: String(id), v: version }, { as: 'admin' });
    expect(upd.data.updateUser.active).toBe(false);
    expect(codeOf(await t.gql(ME, {}, { token }))).toBe('UNAUTHENTICATED');
    const again = await t.signIn('agent.a2@test.local');
    expect(codeOf(again)).toBe('UNAUTHENTICATED');
    expect(again.errors![0].extensions!.reason).toBe('ACCOUNT_DISABLED');
    await t.sql(`update users set active = true where id = $1`, [id]);
  });

  it('signs out: the token stops working', async () => {
    const { token } = (await t.signIn('agent.a1@test.local')).data.signIn;
    expect((await t.gql(ME, {}, { token })).data.me).toBeTruthy();
    expect((await t.gql('mutation { signOut }', {}, { token })).data.signOut).toBe(true);
    const after = await t.gql(ME, {}, { token });
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0].message).toMatch(/ended/);
  });

  it('lets an administrator revoke every session of a user', async () => {
    const { token } = (await t.signIn('leader.b@test.local')).data.signIn;
    const res = await t.gql('mutation($u: ID!) { revokeUserSessions(userId: $u) }', { u: String(t.world.users.leaderB.id) }, { as: 'admin' });
    expect(res.data.revokeUserSessions).toBeGreaterThanOrEqual(1);
    expect(codeOf(await t.gql(ME, {}, { token }))).toBe('UNAUTHENTICATED');
    const denied = await t.gql('mutation($u: ID!) { revokeUserSessions(userId: $u) }', { u: String(t.world.users.agentA1.id) }, { as: 'leaderA' });
    expect(codeOf(denied)).toBe('FORBIDDEN');
  });

  it('expires sessions after the idle timeout and at the absolute expiry', async () => {
    const idle = (await t.signIn('agent.a1@test.local')).data.signIn.token;
    const absolute = (await t.signIn('agent.a1@test.local')).data.signIn.token;
    const { createHash } = await import('node:crypto');
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    await t.sql(`update sessions set last_seen_at = now() - interval '5 hours' where token_hash = $1`, [h(idle)]);
    await t.sql(`update sessions set expires_at = now() - interval '1 second' where token_hash = $1`, [h(absolute)]);
    const a = await t.gql(ME, {}, { token: idle });
    expect(codeOf(a)).toBe('UNAUTHENTICATED');
    expect(a.errors![0].message).toMatch(/inactivity/);
    const b = await t.gql(ME, {}, { token: absolute });
    expect(codeOf(b)).toBe('UNAUTHENTICATED');
    expect(b.errors![0].message).toMatch(/expired/);
  });

  it('still lets a client with a stale token sign in', async () => {
    const res = await t.gql('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { email: 'agent.a1@test.local', password: PASSWORD } }, { token: 'stale-token-that-is-not-valid-anymore' });
    expect(res.data.signIn.token).toBeTruthy();
  });

  describe('IP restriction', () => {
    const email = 'leader.a@test.local';
    beforeAll(async () => {
      await t.sql(`update users set allowed_ip_ranges = '{10.20.0.0/16}' where email = $1`, [email]);
    });
    afterAll(() => t.sql(`update users set allowed_ip_ranges = '{}' where email = $1`, [email]));

    it('refuses sign-in from an address outside the ranges', async () => {
      // The test client connects from 127.0.0.1, which is a trusted proxy here, with no header.
      const res = await t.signIn(email);
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.errors![0].extensions!.reason).toBe('IP_NOT_ALLOWED');
    });

    it('accepts the address a trusted proxy forwards', async () => {
      const res = await t.signIn(email, PASSWORD, { 'x-forwarded-for': '10.20.3.4' });
      expect(res.data?.signIn?.token).toBeTruthy();
      // The same token from another address is refused.
      const token = res.data.signIn.token;
      expect(codeOf(await t.gql(ME, {}, { token, headers: { 'x-forwarded-for': '192.0.2.1' } }))).toBe('UNAUTHENTICATED');
      expect((await t.gql(ME, {}, { token, headers: { 'x-forwarded-for': '10.20.9.9' } })).data.me.email).toBe(email);
    });
  });
});

describe('X-Forwarded-For from an untrusted peer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { world: false });
    await t.sql(`update users set allowed_ip_ranges = '{10.20.0.0/16}' where email = $1`, [ADMIN_EMAIL]);
  });
  afterAll(() => t.stop());

  it('is ignored: the peer address decides', async () => {
    const res = await t.signIn(ADMIN_EMAIL, PASSWORD, { 'x-forwarded-for': '10.20.3.4' });
    expect(codeOf(res)).toBe('FORBIDDEN');
  });
});
