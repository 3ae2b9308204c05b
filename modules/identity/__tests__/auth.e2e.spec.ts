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
    await t.sql(`update login_throttles set locked_until = now() - interval '1 second' where key like $1`, [`signin:${email}|%`]);
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
    t = await startTestApp({ LOGIN_MAX_FAILURES: '3' }, { world: false });
    await t.sql(`update users set allowed_ip_ranges = '{10.20.0.0/16}' where email = $1`, [ADMIN_EMAIL]);
  });
  afterAll(() => t.stop());

  it('is ignored: the peer address decides', async () => {
    const res = await t.signIn(ADMIN_EMAIL, PASSWORD, { 'x-forwarded-for': '10.20.3.4' });
    expect(codeOf(res)).toBe('FORBIDDEN');
  });

  it('is ignored by the throttle too: a forged address neither escapes a lock nor frames another address', async () => {
    const email = 'nobody.here@test.local';
    for (let i = 0; i < 3; i++) expect(codeOf(await t.signIn(email, 'wrong-password', { 'x-forwarded-for': `198.51.100.${i + 1}` }))).toBe('UNAUTHENTICATED');
    // Every attempt counted against the real peer, so a fourth "new" address is locked out as well.
    expect(codeOf(await t.signIn(email, 'wrong-password', { 'x-forwarded-for': '198.51.100.99' }))).toBe('RATE_LIMITED');
    const keys = (await t.sql(`select key from login_throttles order by key`)).map((r) => r.key);
    expect(keys).toEqual(['signin-ip:127.0.0.1', `signin:${email}|127.0.0.1`]);
  });
});

describe('throttling per e-mail and address, per address, and of changePassword', () => {
  let t: TestApp;
  const X = { 'x-forwarded-for': '203.0.113.7' };
  const Y = { 'x-forwarded-for': '198.51.100.20' };
  const CHANGE = 'mutation($i: ChangePasswordInput!) { changePassword(input: $i) }';
  beforeAll(async () => {
    t = await startTestApp({ TRUSTED_PROXIES: '127.0.0.1', LOGIN_MAX_FAILURES: '5', LOGIN_IP_MAX_FAILURES: '12', PASSWORD_CHANGE_MAX_FAILURES: '3' });
  });
  afterAll(() => t.stop());

  it('five wrong passwords from X lock X for that e-mail, while the right password from Y still signs in', async () => {
    for (let i = 0; i < 5; i++) expect(codeOf(await t.signIn(ADMIN_EMAIL, 'wrong-password', X))).toBe('UNAUTHENTICATED');
    const locked = await t.signIn(ADMIN_EMAIL, PASSWORD, X);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.errors![0].extensions!.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    // The administrator, from their own address, is not locked out by the attacker.
    const real = await t.signIn(ADMIN_EMAIL, PASSWORD, Y);
    expect(real.errors).toBeUndefined();
    expect(real.data.signIn.token).toBeTruthy();
    // X can still sign in to other accounts (its per-address budget is not spent).
    expect((await t.signIn('agent.a1@test.local', PASSWORD, X)).data.signIn.token).toBeTruthy();
    // An unknown e-mail locks the same way, with the same answers.
    for (let i = 0; i < 5; i++) expect(codeOf(await t.signIn('ghost@test.local', 'wrong-password', X))).toBe('UNAUTHENTICATED');
    const ghost = await t.signIn('ghost@test.local', 'wrong-password', X);
    expect(codeOf(ghost)).toBe('RATE_LIMITED');
    expect(ghost.errors![0].message).toBe(locked.errors![0].message);
  });

  it('a burst of parallel guesses gets no more than the limit verified', async () => {
    const W = { 'x-forwarded-for': '203.0.113.99' };
    const results = await Promise.all(Array.from({ length: 10 }, () => t.signIn('leader.b@test.local', 'wrong-password', W)));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
    expect(codeOf(await t.signIn('leader.b@test.local', PASSWORD, W))).toBe('RATE_LIMITED');
    expect((await t.signIn('leader.b@test.local', PASSWORD, Y)).data.signIn.token).toBeTruthy();
  });

  it('IPv6 addresses count per /64: rotating within one prefix does not reset the count', async () => {
    for (let i = 0; i < 5; i++) expect(codeOf(await t.signIn('leader.a@test.local', 'wrong-password', { 'x-forwarded-for': `2001:db8:1:2::${i + 1}` }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.signIn('leader.a@test.local', PASSWORD, { 'x-forwarded-for': '2001:0db8:0001:0002:ffff:0:0:9' }))).toBe('RATE_LIMITED');
    expect((await t.signIn('leader.a@test.local', PASSWORD, { 'x-forwarded-for': '2001:db8:1:3::1' })).data.signIn.token).toBeTruthy();
    const keys = (await t.sql(`select key from login_throttles where key like '%2001:%' order by key`)).map((r) => r.key);
    expect(keys).toEqual(['signin-ip:2001:db8:1:2::/64', 'signin:leader.a@test.local|2001:db8:1:2::/64']);
  });

  it('one address trying many e-mails spends its per-address budget, then is refused for every e-mail', async () => {
    const Z = { 'x-forwarded-for': '192.0.2.77' };
    // 12 failures over 12 different e-mails: no e-mail reaches its own limit of 5.
    for (let i = 0; i < 12; i++) expect(codeOf(await t.signIn(`spray${i}@test.local`, 'wrong-password', Z))).toBe('UNAUTHENTICATED');
    const refused = await t.signIn('agent.a2@test.local', PASSWORD, Z);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // The same user from another address is fine.
    expect((await t.signIn('agent.a2@test.local', PASSWORD, Y)).data.signIn.token).toBeTruthy();
  });

  it('changePassword answers RATE_LIMITED after N wrong current passwords, even for the right one, and the password is unchanged', async () => {
    const { token } = (await t.signIn('agent.b1@test.local', PASSWORD, Y)).data.signIn;
    for (let i = 0; i < 3; i++) {
      const res = await t.gql(CHANGE, { i: { currentPassword: `guess-number-${i}`, newPassword: 'a-brand-new-password' } }, { token });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.currentPassword');
    }
    const limited = await t.gql(CHANGE, { i: { currentPassword: PASSWORD, newPassword: 'a-brand-new-password' } }, { token });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
    // Another session of the same user shares the budget.
    const { token: other } = (await t.signIn('agent.b1@test.local', PASSWORD, X)).data.signIn;
    expect(codeOf(await t.gql(CHANGE, { i: { currentPassword: PASSWORD, newPassword: 'a-brand-new-password' } }, { token: other }))).toBe('RATE_LIMITED');
    expect((await t.signIn('agent.b1@test.local', PASSWORD, Y)).data.signIn.token).toBeTruthy();
    // When the lock ends, the right password works (and resets the count).
    await t.sql(`update login_throttles set locked_until = now() - interval '1 second' where key like 'password:%'`);
    expect((await t.gql(CHANGE, { i: { currentPassword: PASSWORD, newPassword: 'a-brand-new-password' } }, { token })).data.changePassword).toBe(true);
    expect((await t.signIn('agent.b1@test.local', 'a-brand-new-password', Y)).data.signIn.token).toBeTruthy();
  });
});

describe('simultaneous sign-ins of one user (issue 20)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  it('ten parallel sign-ins all succeed, and do not change the version an administrator edits against', async () => {
    const id = t.world.users.agentA1.id;
    const [{ version, last_sign_in_at: before }] = await t.sql(`select version, last_sign_in_at from users where id = $1`, [id]);
    const results = await Promise.all(Array.from({ length: 10 }, () => t.signIn('agent.a1@test.local')));
    expect(results.map((r) => r.errors?.[0]?.extensions?.code ?? 'ok')).toEqual(Array(10).fill('ok'));
    expect(new Set(results.map((r) => r.data.signIn.token)).size).toBe(10);
    for (const r of results) expect((await t.gql(ME, {}, { token: r.data.signIn.token })).data.me.email).toBe('agent.a1@test.local');
    const [after] = await t.sql(`select version, last_sign_in_at from users where id = $1`, [id]);
    expect(after.version).toBe(version);
    expect(after.last_sign_in_at.getTime()).toBeGreaterThan(before.getTime());
    const upd = await t.gql('mutation($id: ID!, $v: Int!) { updateUser(id: $id, version: $v, input: { phone: "+90 555 123 45 67" }) { version phone } }', { id: String(id), v: version }, { as: 'admin' });
    expect(upd.errors).toBeUndefined();
    expect(upd.data.updateUser).toEqual({ version: version + 1, phone: '+90 555 123 45 67' });
  });
});
