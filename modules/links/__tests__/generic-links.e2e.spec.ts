import { codeOf, startTestApp, type TestApp } from '../../../test/harness';

/** Links between records of any ERP module: who may link, and what a viewer sees of a link. */
describe('generic record links', () => {
  let t: TestApp;
  let srA: string; // a service request of team A
  let taskA1: string; // agentA1's own task
  let taskB1: string; // agentB1's own task
  beforeAll(async () => {
    t = await startTestApp();
    const acc = await t.gql('mutation { createAccount(input: { kind: COMPANY, name: "Bağlantı Test A.Ş." }) { id } }', {}, { as: 'admin' });
    const accountId = acc.data.createAccount.id;
    const sr = await t.gql(
      'mutation($i: CreateServiceRequestInput!) { createServiceRequest(input: $i) { id } }',
      { i: { accountId, subject: 'Kombi arızası', assignee: { teamId: String(t.world.teams.A) } } },
      { as: 'admin' },
    );
    srA = sr.data.createServiceRequest.id;
    taskA1 = (await t.gql('mutation { createTask(input: { title: "Parça siparişi" }) { id } }', {}, { as: 'agentA1' })).data.createTask.id;
    taskB1 = (await t.gql('mutation { createTask(input: { title: "B ekibinin işi" }) { id } }', {}, { as: 'agentB1' })).data.createTask.id;
  });
  afterAll(() => t.stop());

  const link = (as: 'agentA1' | 'agentB1' | 'admin', from: object, to: object) =>
    t.gql('mutation($f: RecordRefInput!, $t: RecordRefInput!) { linkRecords(from: $f, to: $t) }', { f: from, t: to }, { as });
  const linked = (as: 'agentA1' | 'agentB1' | 'admin', record: object) =>
    t.gql('query($r: RecordRefInput!) { linkedRecordsOf(record: $r) { type id readable } }', { r: record }, { as });

  it('links a task to a service request the user may update, once', async () => {
    const first = await link('agentA1', { type: 'ServiceRequest', id: srA }, { type: 'Task', id: taskA1 });
    expect(first.data.linkRecords).toBe(true);
    const again = await link('agentA1', { type: 'ServiceRequest', id: srA }, { type: 'Task', id: taskA1 });
    expect(again.data.linkRecords).toBe(false);
    const rows = await t.sql(`select count(*)::int as n from record_links where from_type = 'ServiceRequest' and from_id = $1`, [Number(srA)]);
    expect(rows[0].n).toBe(1);
    // Both directions see the link.
    expect((await linked('agentA1', { type: 'ServiceRequest', id: srA })).data.linkedRecordsOf).toEqual([{ type: 'Task', id: taskA1, readable: true }]);
    expect((await linked('agentA1', { type: 'Task', id: taskA1 })).data.linkedRecordsOf).toEqual([{ type: 'ServiceRequest', id: srA, readable: true }]);
  });

  it('shows a link to a record the viewer may not read without the record', async () => {
    // The administrator links agentB1's task to team A's service request.
    expect((await link('admin', { type: 'ServiceRequest', id: srA }, { type: 'Task', id: taskB1 })).data.linkRecords).toBe(true);
    const seen = (await linked('agentA1', { type: 'ServiceRequest', id: srA })).data.linkedRecordsOf;
    expect(seen).toEqual(expect.arrayContaining([{ type: 'Task', id: taskB1, readable: false }, { type: 'Task', id: taskA1, readable: true }]));
  });

  it('refuses links to or from records the user may not read, and writes nothing', async () => {
    const before = await t.sql(`select count(*)::int as n from record_links`);
    expect(codeOf(await link('agentB1', { type: 'ServiceRequest', id: srA }, { type: 'Task', id: taskB1 }))).toBe('NOT_FOUND');
    expect(codeOf(await link('agentA1', { type: 'Task', id: taskA1 }, { type: 'Task', id: taskB1 }))).toBe('NOT_FOUND');
    expect(codeOf(await linked('agentB1', { type: 'ServiceRequest', id: srA }))).toBe('NOT_FOUND');
    const after = await t.sql(`select count(*)::int as n from record_links`);
    expect(after[0].n).toBe(before[0].n);
  });

  it('refuses unknown types, applications (they have their own operations) and self links', async () => {
    const unknown = await link('admin', { type: 'Invoice', id: '1' }, { type: 'Task', id: taskA1 });
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0].extensions!.field).toBe('from.type');
    expect(codeOf(await link('admin', { type: 'Application', id: '1' }, { type: 'Task', id: taskA1 }))).toBe('BAD_USER_INPUT');
    const self = await link('admin', { type: 'Task', id: taskA1 }, { type: 'Task', id: taskA1 });
    expect(codeOf(self)).toBe('BAD_USER_INPUT');
    expect(self.errors![0].extensions!.field).toBe('to');
  });

  it('unlinks', async () => {
    const res = await t.gql('mutation($f: RecordRefInput!, $t: RecordRefInput!) { unlinkRecords(from: $f, to: $t) }', { f: { type: 'Task', id: taskA1 }, t: { type: 'ServiceRequest', id: srA } }, { as: 'agentA1' });
    expect(res.data.unlinkRecords).toBe(true);
    expect((await linked('agentA1', { type: 'Task', id: taskA1 })).data.linkedRecordsOf).toEqual([]);
  });
});
