import { ADMIN_EMAIL, startTestApp, type TestApp } from '../../test/harness';
import { ERROR_REASONS } from '../error-reasons';

/**
 * Every error a user can meet carries a stable `extensions.reason` (and its `params`) beside the
 * English message, so that clients can say it in the user's language.
 */
describe('error reasons', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOGIN_MAX_FAILURES: '2', LOGIN_LOCK_MINUTES: '10' });
  });
  afterAll(() => t.stop());

  const CREATE_ACCOUNT = 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }';
  const CREATE_USER = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }';

  it('names every refused field at once, each with its reason and parameters', async () => {
    const r = await t.gql(CREATE_ACCOUNT, { i: { kind: 'INDIVIDUAL', name: 'Ş'.repeat(301), phones: ['0532 111 22 33', 'yok'], emails: ['not-an-address'], taxNumber: '12' } }, { as: 'admin' });
    const e = r.errors![0];
    expect(e.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name', reason: 'TOO_LONG', params: { max: 300 } });
    expect(e.message).toMatch(/^input\.name: /); // the English message stays for integrators
    expect(e.extensions!.fields).toEqual([
      { field: 'input.name', message: expect.any(String), reason: 'TOO_LONG', params: { max: 300 } },
      { field: 'input.taxNumber', message: expect.any(String), reason: 'INVALID_TAX_NUMBER' },
      { field: 'input.phones', message: 'must be phone numbers', reason: 'INVALID_PHONE' },
      { field: 'input.emails', message: 'must be e-mail addresses', reason: 'INVALID_EMAIL' },
    ]);
    const blank = await t.gql(CREATE_ACCOUNT, { i: { kind: 'COMPANY', name: '   ' } }, { as: 'admin' });
    expect(blank.errors![0].extensions).toMatchObject({ field: 'input.name', reason: 'REQUIRED' });
  });

  it('reasons from the modules: unique e-mail, unknown reference, required', async () => {
    const dup = await t.gql(CREATE_USER, { i: { name: 'Aynı', email: ADMIN_EMAIL, password: 'uzun-bir-parola-1' } }, { as: 'admin' });
    expect(dup.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email', reason: 'NOT_UNIQUE' });
    const badEmail = await t.gql(CREATE_USER, { i: { name: 'Biri', email: 'biri', password: 'uzun-bir-parola-1' } }, { as: 'admin' });
    expect(badEmail.errors![0].extensions).toMatchObject({ field: 'input.email', reason: 'INVALID_EMAIL' });
    const region = await t.gql(CREATE_ACCOUNT, { i: { kind: 'COMPANY', name: 'Bölgesiz A.Ş.', regionId: '999999' } }, { as: 'admin' });
    expect(region.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.regionId', reason: 'NOT_FOUND_REFERENCE' });
    const opp = await t.gql('mutation($i: CreateOpportunityInput!) { createOpportunity(input: $i) { id } }', { i: { title: '   ', accountId: '1' } }, { as: 'admin' });
    expect(opp.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'REQUIRED' });
  });

  it('sign-in: invalid credentials, disabled account, rate limited', async () => {
    const created = await t.gql(CREATE_USER, { i: { name: 'Kapalı Hesap', email: 'kapali@test.local', password: 'uzun-bir-parola-1', active: false } }, { as: 'admin' });
    expect(created.errors).toBeUndefined();
    const disabled = await t.signIn('kapali@test.local', 'uzun-bir-parola-1');
    expect(disabled.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ACCOUNT_DISABLED' });
    const wrong = await t.signIn('kimse@test.local', 'yanlis-parola');
    expect(wrong.errors![0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INVALID_CREDENTIALS' });
    await t.signIn('kimse@test.local', 'yanlis-parola');
    const locked = await t.signIn('kimse@test.local', 'yanlis-parola');
    expect(locked.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'RATE_LIMITED', params: { minutes: 10 } });
  });

  it('stale versions and missing records', async () => {
    const acc = await t.gql(CREATE_ACCOUNT, { i: { kind: 'COMPANY', name: 'Sürüm A.Ş.' } }, { as: 'admin' });
    const id = acc.data.createAccount.id;
    const stale = await t.gql('mutation($id: ID!) { updateAccount(id: $id, version: 99, input: { city: "İzmir" }) { id } }', { id }, { as: 'admin' });
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'CONFLICT' });
    const missing = await t.gql('query { account(id: "999999") { id } }', {}, { as: 'admin' });
    expect(missing.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'NOT_FOUND' });
  });

  it('every reason sent is a declared one', () => {
    expect(new Set(ERROR_REASONS).size).toBe(ERROR_REASONS.length);
    for (const r of ERROR_REASONS) expect(r).toMatch(/^[A-Z][A-Z_]*[A-Z]$/);
  });
});
