import { startTestApp, type TestApp } from '../../test/harness';

/**
 * Every BAD_USER_INPUT names its field (`extensions.field`), whatever the bad value and
 * wherever it is: malformed cursors, dates out of range, negative page sizes, ids that are not
 * numbers, over-long strings, over several lists and mutations. A client can always tell the
 * person which field to fix; nothing answers 500.
 */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.stop();
});

const LISTS = ['applications', 'accounts', 'tasks', 'documents', 'users', 'opportunities', 'serviceRequests'];
// The last flag: a value the list may also accept (a well-formed cursor of a list sorted otherwise).
const PAGES: [string, unknown, string, boolean?][] = [
  ['garbage cursor', { after: 'garbage' }, 'page.after'],
  ['base64 of a non-array', { after: Buffer.from('{"$gt":1}').toString('base64url') }, 'page.after'],
  ['cursor of wrong shape', { after: Buffer.from('[[1,2,3]]').toString('base64url') }, 'page.after'],
  ['cursor of text where a number belongs', { after: Buffer.from('["abc","def"]').toString('base64url') }, 'page.after'],
  ['cursor of huge number', { after: Buffer.from('[1e400,"x"]').toString('base64url') }, 'page.after'],
  ['cursor of a date out of range', { after: Buffer.from('["99999-01-01T00:00:00.000Z",1]').toString('base64url') }, 'page.after', true],
  ['cursor too long', { after: 'A'.repeat(5000) }, 'page.after'],
  ['negative first', { first: -1 }, 'page.first'],
  ['negative limit', { limit: -5 }, 'page.limit'],
  ['negative offset', { offset: -1 }, 'page.offset'],
];

const DATES: [string, unknown][] = [
  ['year 0000', '0000-01-01T00:00:00.000Z'],
  ['year 99999', '+099999-01-01T00:00:00.000Z'],
  ['year 9999', '9999-12-31T00:00:00.000Z'],
  ['year 1200', '1200-06-01T00:00:00.000Z'],
  ['not a date', 'yarın'],
];

type Case = { name: string; query: string; variables: Record<string, unknown>; field?: string; mayPass?: boolean };

function cases(): Case[] {
  const out: Case[] = [];
  for (const list of LISTS) {
    for (const [name, page, field, mayPass] of PAGES) {
      out.push({ name: `${list}: ${name}`, query: `query($p: PageInput) { ${list}(page: $p) { total items { id } } }`, variables: { p: page }, field, mayPass });
      // The same, written inline in the document.
      const literal = JSON.stringify(page).replace(/"(\w+)":/g, '$1:');
      out.push({ name: `${list}: ${name} (literal)`, query: `{ ${list}(page: ${literal}) { total items { id } } }`, variables: {}, field, mayPass });
    }
  }
  for (const [name, value] of DATES) {
    out.push({ name: `applications filter: ${name}`, query: 'query($f: ApplicationFilter) { applications(filter: $f) { total } }', variables: { f: { applicationDate: { from: value } } }, field: 'filter.applicationDate.from' });
    out.push({ name: `tasks create: ${name}`, query: 'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', variables: { i: { title: 'Görev', dueAt: value } }, field: 'input.dueAt' });
    const day = String(value).slice(0, String(value).indexOf('T') > 0 ? String(value).indexOf('T') : undefined);
    out.push({ name: `dashboard: ${name}`, query: 'query($i: DashboardInput!) { dashboard(input: $i) { totals { total } timeline { start } } }', variables: { i: { from: day, to: '2026-01-31' } }, field: 'input.from' });
    out.push({ name: `dashboard one day: ${name}`, query: 'query($i: DashboardInput!) { dashboard(input: $i) { totals { total } timeline { start } } }', variables: { i: { from: day, to: day } }, field: 'input.' });
    out.push({ name: `dashboard literal: ${name}`, query: `{ dashboard(input: {from: "2026-01-01", to: ${JSON.stringify(day)}}) { totals { total } } }`, variables: {}, field: 'input.to' });
  }
  for (const id of ['abc', '-1', '1.5', '99999999999999999999', '']) {
    out.push({ name: `application(id: ${id})`, query: 'query($id: ID!) { application(id: $id) { id } }', variables: { id }, field: 'id' });
    out.push({ name: `updateTask(id: ${id})`, query: 'mutation($id: ID!) { updateTask(id: $id, input: {title: "x"}, version: 1) { id } }', variables: { id }, field: 'id' });
    out.push({ name: `applications filter ids ${id}`, query: 'query($f: ApplicationFilter) { applications(filter: $f) { total } }', variables: { f: { categoryIds: [id] } }, field: 'filter.categoryIds' });
  }
  const long = 'ş'.repeat(100_000);
  out.push({ name: 'over-long task title', query: 'mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }', variables: { i: { title: long } }, field: 'input.title' });
  out.push({ name: 'over-long account name', query: 'mutation($i: CreateAccountInput!) { createAccount(input: $i) { id } }', variables: { i: { kind: 'COMPANY', name: long } }, field: 'input.name' });
  out.push({ name: 'over-long search', query: 'query($f: ApplicationFilter) { applications(filter: $f) { total } }', variables: { f: { search: long } }, field: 'filter.search' });
  return out;
}

test('every BAD_USER_INPUT names its field, and bad input is never a 500', async () => {
  const problems: string[] = [];
  let badInputs = 0;
  for (const c of cases()) {
    const res = await t.gql(c.query, c.variables, { as: 'admin' });
    for (const e of res.errors ?? []) {
      const code = e.extensions?.code;
      if (code === 'INTERNAL_SERVER_ERROR' || res.status >= 500) problems.push(`${c.name}: ${res.status} ${code} ${e.message}`);
      if (code !== 'BAD_USER_INPUT') continue;
      badInputs++;
      if (!e.extensions?.field) problems.push(`${c.name}: no field: ${e.message}`);
      else if (c.field && !String(e.extensions.field).startsWith(c.field)) problems.push(`${c.name}: field ${e.extensions.field}, expected ${c.field}`);
    }
    if (!res.errors?.length && !c.mayPass) problems.push(`${c.name}: accepted`);
  }
  expect(problems).toEqual([]);
  expect(badInputs).toBeGreaterThan(50);
});
