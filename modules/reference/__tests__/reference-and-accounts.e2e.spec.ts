import pg from 'pg';
import { codeOf, startTestApp, type GqlResult, type RoleName, type TestApp } from '../../../test/harness';

/**
 * Reference lists (priorities, channels, stages, branches, projects, campaigns, regions),
 * accounts with their contacts and subscriptions, and extra fields, all through the API:
 * what administrators may change, what staff may only read, and how input is checked.
 */

const fieldOf = (r: GqlResult) => r.errors?.[0]?.extensions?.field;

interface Kind {
  /** GraphQL names: createX, updateX, archiveX, x(id), plural(filter). */
  name: string;
  plural: string;
  filter: string;
  table: string;
  /** A valid create input for a given name. */
  sample(name: string, n: number): Record<string, unknown>;
}

const KINDS: Kind[] = [
  { name: 'Priority', plural: 'priorities', filter: 'ReferenceFilter', table: 'priorities', sample: (name) => ({ name, color: '#123456' }) },
  { name: 'ContactChannel', plural: 'contactChannels', filter: 'ReferenceFilter', table: 'contact_channels', sample: (name, n) => ({ name, code: `kanal_${n}` }) },
  { name: 'Branch', plural: 'branches', filter: 'ReferenceFilter', table: 'branches', sample: (name) => ({ name, city: 'İzmir', code: 'IZM' }) },
  { name: 'Project', plural: 'projects', filter: 'ReferenceFilter', table: 'projects', sample: (name) => ({ name, startDate: '2026-01-01', endDate: '2026-06-30' }) },
  { name: 'Campaign', plural: 'campaigns', filter: 'ReferenceFilter', table: 'campaigns', sample: (name) => ({ name, startDate: '2026-03-01', endDate: '2026-03-31' }) },
  { name: 'Region', plural: 'regions', filter: 'RegionFilter', table: 'regions', sample: (name) => ({ name }) },
];

const lcFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

describe('reference data, accounts and extra fields through the API', () => {
  let t: TestApp;
  let seq = 0;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.stop());

  const create = (k: Kind, input: Record<string, unknown>, as: RoleName | null = 'admin') =>
    t.gql(`mutation($i: Create${k.name}Input!) { create${k.name}(input: $i) { id name version archivedAt } }`, { i: input }, as ? { as } : {});
  const update = (k: Kind, id: string, version: number, input: Record<string, unknown>, as: RoleName | null = 'admin') =>
    t.gql(`mutation($id: ID!, $v: Int!, $i: Update${k.name}Input!) { update${k.name}(id: $id, version: $v, input: $i) { id name version } }`, { id, v: version, i: input }, as ? { as } : {});
  const archive = (k: Kind, id: string, as: RoleName | null = 'admin') => t.gql(`mutation($id: ID!) { archive${k.name}(id: $id) { id archivedAt } }`, { id }, as ? { as } : {});
  const list = (k: Kind, filter: Record<string, unknown> = {}, as: RoleName | null = 'admin') =>
    t.gql(`query($f: ${k.filter}) { ${k.plural}(filter: $f, page: { limit: 500 }) { total items { id name archivedAt } } }`, { f: filter }, as ? { as } : {});
  const namesOf = (r: GqlResult, plural: string): string[] => r.data[plural].items.map((i: { name: string }) => i.name);
  const rows = async (table: string) => (await t.sql(`select count(*)::int as n from ${table}`))[0].n as number;

  describe('defaults created on first run', () => {
    it('has 4 priorities, one of them the default', async () => {
      const r = await t.gql('{ priorities { items { name isDefault sortOrder } } }', {}, { as: 'agentA1' });
      expect(r.errors).toBeUndefined();
      const items = r.data.priorities.items;
      expect(items).toHaveLength(4);
      expect(items.filter((p: { isDefault: boolean }) => p.isDefault)).toHaveLength(1);
      expect(items.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['Düşük', 'Normal', 'Yüksek', 'Acil']));
    });

    it('has 7 contact channels with stable codes, one of them the default', async () => {
      const r = await t.gql('{ contactChannels { items { code name isDefault } } }', {}, { as: 'agentA1' });
      const items = r.data.contactChannels.items;
      expect(items).toHaveLength(7);
      expect(items.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(['phone', 'email', 'sms', 'chat', 'web_form', 'walk_in']));
      expect(items.filter((c: { isDefault: boolean }) => c.isDefault)).toHaveLength(1);
    });

    it('has 6 process stages: one initial, closed ones and open ones', async () => {
      const r = await t.gql('{ processStages { items { name isInitial closed } } }', {}, { as: 'agentA1' });
      const items: { name: string; isInitial: boolean; closed: boolean }[] = r.data.processStages.items;
      expect(items).toHaveLength(6);
      expect(items.filter((s) => s.isInitial)).toHaveLength(1);
      expect(items.find((s) => s.isInitial)!.closed).toBe(false);
      const closed = items.filter((s) => s.closed);
      expect(closed.length).toBeGreaterThanOrEqual(1);
      expect(closed.length).toBeLessThan(6);
      const onlyClosed = await t.gql('{ processStages(filter: { closed: true }) { items { name closed } } }', {}, { as: 'leaderA' });
      expect(onlyClosed.data.processStages.items.map((s: { name: string }) => s.name).sort()).toEqual(closed.map((s) => s.name).sort());
    });
  });

  describe('administrators keep the reference lists', () => {
    for (const k of KINDS) {
      it(`${k.plural}: create, update with version, refuse a Turkish-insensitive duplicate name, archive`, async () => {
        const n = ++seq;
        const name = `İzmir Işık ${n}`;
        const created = await create(k, k.sample(name, n));
        expect(created.errors).toBeUndefined();
        const rec = created.data[`create${k.name}`];
        expect(rec.name).toBe(name);
        expect(rec.archivedAt).toBeNull();

        // The same name in another case (Turkish İ/I, ı/i) is a duplicate.
        const before = await rows(k.table);
        for (const dup of [`İZMİR IŞIK ${n}`, `izmir ışık ${n}`, `  İzmir Işık ${n} `]) {
          const d = await create(k, k.sample(dup, ++seq));
          expect({ dup, code: codeOf(d), field: fieldOf(d) }).toEqual({ dup, code: 'BAD_USER_INPUT', field: 'input.name' });
        }
        expect(await rows(k.table)).toBe(before);

        // Update with the version read; a stale version is a conflict and writes nothing.
        const renamed = await update(k, rec.id, rec.version, { name: `Ege ${n}` });
        expect(renamed.errors).toBeUndefined();
        expect(renamed.data[`update${k.name}`].name).toBe(`Ege ${n}`);
        expect(renamed.data[`update${k.name}`].version).toBeGreaterThan(rec.version);
        const stale = await update(k, rec.id, rec.version, { name: `Stale ${n}` });
        expect(codeOf(stale)).toBe('CONFLICT');
        expect(stale.errors![0].extensions!.currentVersion).toBe(renamed.data[`update${k.name}`].version);
        const one = await t.gql(`query($id: ID!) { ${lcFirst(k.name)}(id: $id) { name version } }`, { id: rec.id }, { as: 'admin' });
        expect(one.data[lcFirst(k.name)].name).toBe(`Ege ${n}`);

        // Renaming onto another record's name (any case) is refused too.
        const other = (await create(k, k.sample(`Akdeniz ${n}`, ++seq))).data[`create${k.name}`];
        const clash = await update(k, other.id, other.version, { name: `EGE ${n}` });
        expect({ code: codeOf(clash), field: fieldOf(clash) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });

        // Archived records leave the list unless asked for, and their name is free again.
        const archived = await archive(k, rec.id);
        expect(archived.errors).toBeUndefined();
        expect(archived.data[`archive${k.name}`].archivedAt).toBeTruthy();
        expect(namesOf(await list(k), k.plural)).not.toContain(`Ege ${n}`);
        expect(namesOf(await list(k), k.plural)).toContain(`Akdeniz ${n}`);
        expect(namesOf(await list(k, { includeArchived: true }), k.plural)).toContain(`Ege ${n}`);
        expect(namesOf(await list(k, { search: `ege ${n}` }), k.plural)).toEqual([]);
        const again = await create(k, k.sample(`Ege ${n}`, ++seq));
        expect(again.errors).toBeUndefined();
      });
    }

    it('keeps one default priority: setting isDefault on one clears it on the others', async () => {
      const defaults = async () => (await t.gql('{ priorities(filter: { includeArchived: true }) { items { name isDefault } } }', {}, { as: 'admin' })).data.priorities.items.filter((p: { isDefault: boolean }) => p.isDefault).map((p: { name: string }) => p.name);
      expect(await defaults()).toEqual(['Normal']);
      const kritik = await t.gql('mutation { createPriority(input: { name: "Kritik", isDefault: true, color: "#ff0000" }) { id isDefault } }', {}, { as: 'admin' });
      expect(kritik.data.createPriority.isDefault).toBe(true);
      expect(await defaults()).toEqual(['Kritik']);
      const [normal] = await t.sql(`select id, version from priorities where name = 'Normal'`);
      const back = await t.gql('mutation($id: ID!, $v: Int!) { updatePriority(id: $id, version: $v, input: { isDefault: true }) { isDefault } }', { id: String(normal.id), v: normal.version }, { as: 'admin' });
      expect(back.data.updatePriority.isDefault).toBe(true);
      expect(await defaults()).toEqual(['Normal']);
      const [{ n }] = await t.sql(`select count(*)::int as n from priorities where is_default`);
      expect(n).toBe(1);
    });

    it('refuses a priority named like a default one in another case ("ACİL" vs "Acil")', async () => {
      for (const name of ['ACİL', 'acil', 'ACIL']) {
        const r = await t.gql('mutation($n: String!) { createPriority(input: { name: $n }) { id } }', { n: name }, { as: 'admin' });
        expect({ name, code: codeOf(r), field: fieldOf(r) }).toEqual({ name, code: 'BAD_USER_INPUT', field: 'input.name' });
      }
    });

    it('checks channel codes: format, and unique', async () => {
      const ch = KINDS.find((k) => k.name === 'ContactChannel')!;
      for (const code of ['Web-Form', '1kanal', 'a', 'kanal kodu', 'KANAL', 'ç_kanal', '']) {
        const r = await create(ch, { name: `Kanal ${code}`, code });
        expect({ code, err: codeOf(r), field: fieldOf(r) }).toEqual({ code, err: 'BAD_USER_INPUT', field: 'input.code' });
      }
      const dup = await create(ch, { name: 'İkinci telefon', code: 'phone' });
      expect({ code: codeOf(dup), field: fieldOf(dup) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.code' });
      const ok = await t.gql('mutation { createContactChannel(input: { name: "WhatsApp", code: "whatsapp_2" }) { id code version } }', {}, { as: 'admin' });
      expect(ok.data.createContactChannel.code).toBe('whatsapp_2');
      const clash = await t.gql('mutation($id: ID!, $v: Int!) { updateContactChannel(id: $id, version: $v, input: { code: "email" }) { code } }', { id: ok.data.createContactChannel.id, v: ok.data.createContactChannel.version }, { as: 'admin' });
      expect({ code: codeOf(clash), field: fieldOf(clash) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.code' });
      const badFormat = await t.gql('mutation($id: ID!, $v: Int!) { updateContactChannel(id: $id, version: $v, input: { code: "Whats-App" }) { code } }', { id: ok.data.createContactChannel.id, v: ok.data.createContactChannel.version }, { as: 'admin' });
      expect({ code: codeOf(badFormat), field: fieldOf(badFormat) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.code' });
      const [{ code }] = await t.sql(`select code from contact_channels where id = $1`, [ok.data.createContactChannel.id]);
      expect(code).toBe('whatsapp_2');
    });

    for (const name of ['Project', 'Campaign']) {
      it(`refuses a ${name.toLowerCase()} that ends before it starts`, async () => {
        const k = KINDS.find((x) => x.name === name)!;
        const before = await rows(k.table);
        const bad = await create(k, { name: `${name} ters`, startDate: '2026-05-10', endDate: '2026-05-09' });
        expect({ code: codeOf(bad), field: fieldOf(bad) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.endDate' });
        expect(await rows(k.table)).toBe(before);
        const sameDay = await create(k, { name: `${name} tek gün`, startDate: '2026-05-10', endDate: '2026-05-10' });
        expect(sameDay.errors).toBeUndefined();
        const rec = sameDay.data[`create${name}`];
        // Against the stored start date when only the end changes.
        const upd = await update(k, rec.id, rec.version, { endDate: '2026-05-01' });
        expect({ code: codeOf(upd), field: fieldOf(upd) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.endDate' });
        const fine = await update(k, rec.id, rec.version, { endDate: '2026-06-01' });
        expect(fine.errors).toBeUndefined();
      });
    }

    it('gives a region a responsible only when that user is active', async () => {
      const disabled = await t.gql(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id active } }',
        { i: { name: 'Pasif Kullanıcı', email: 'pasif@test.local', password: 'pasif-parola-2026', active: false } },
        { as: 'admin' },
      );
      expect(disabled.data.createUser.active).toBe(false);
      const before = await rows('regions');
      for (const responsibleId of [disabled.data.createUser.id, '999999', 'abc']) {
        const r = await t.gql('mutation($i: CreateRegionInput!) { createRegion(input: $i) { id } }', { i: { name: `Bölge ${responsibleId}`, responsibleId } }, { as: 'admin' });
        expect({ responsibleId, code: codeOf(r), field: fieldOf(r) }).toEqual({ responsibleId, code: 'BAD_USER_INPUT', field: 'input.responsibleId' });
      }
      expect(await rows('regions')).toBe(before);
      const ok = await t.gql('mutation($i: CreateRegionInput!) { createRegion(input: $i) { id version responsible { name } } }', { i: { name: 'Marmara', responsibleId: String(t.world.users.leaderA.id) } }, { as: 'admin' });
      expect(ok.data.createRegion.responsible.name).toBe('Ayşe Lider');
      const toDisabled = await t.gql('mutation($id: ID!, $v: Int!, $u: ID) { updateRegion(id: $id, version: $v, input: { responsibleId: $u }) { id } }', { id: ok.data.createRegion.id, v: ok.data.createRegion.version, u: disabled.data.createUser.id }, { as: 'admin' });
      expect({ code: codeOf(toDisabled), field: fieldOf(toDisabled) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.responsibleId' });
      const toLeaderB = await t.gql('mutation($id: ID!, $v: Int!, $u: ID) { updateRegion(id: $id, version: $v, input: { responsibleId: $u }) { responsible { name } } }', { id: ok.data.createRegion.id, v: ok.data.createRegion.version, u: String(t.world.users.leaderB.id) }, { as: 'admin' });
      expect(toLeaderB.data.updateRegion.responsible.name).toBe('Barış Lider');
    });
  });

  describe('staff read the reference lists but do not change them', () => {
    const targets: Record<string, { id: string; name: string; version: number }> = {};
    beforeAll(async () => {
      for (const k of KINDS) {
        const n = ++seq;
        const r = await create(k, k.sample(`Salt okunur ${n}`, n));
        targets[k.name] = r.data[`create${k.name}`];
      }
    });

    for (const as of ['agentA1', 'leaderA'] as RoleName[]) {
      for (const k of KINDS) {
        it(`${as} reads ${k.plural} but may not create, update or archive them`, async () => {
          const target = targets[k.name];
          const l = await list(k, {}, as);
          expect(l.errors).toBeUndefined();
          expect(namesOf(l, k.plural)).toContain(target.name);
          const one = await t.gql(`query($id: ID!) { ${lcFirst(k.name)}(id: $id) { id name } }`, { id: target.id }, { as });
          expect(one.data[lcFirst(k.name)].name).toBe(target.name);

          const before = await t.sql(`select count(*)::int as n, max(updated_at) as u, count(archived_at)::int as a from ${k.table}`);
          const n = ++seq;
          expect(codeOf(await create(k, k.sample(`Yetkisiz ${n}`, n), as))).toBe('FORBIDDEN');
          expect(codeOf(await update(k, target.id, target.version, { name: `Yetkisiz ${n}` }, as))).toBe('FORBIDDEN');
          expect(codeOf(await archive(k, target.id, as))).toBe('FORBIDDEN');
          const after = await t.sql(`select count(*)::int as n, max(updated_at) as u, count(archived_at)::int as a from ${k.table}`);
          expect(after).toEqual(before);
        });
      }

      it(`${as} reads process stages and extra fields but may not create them`, async () => {
        expect((await t.gql('{ processStages { total } }', {}, { as })).data.processStages.total).toBe(6);
        expect((await t.gql('{ extraFields { total } }', {}, { as })).errors).toBeUndefined();
        expect(codeOf(await t.gql('mutation { createProcessStage(input: { name: "Yetkisiz aşama" }) { id } }', {}, { as }))).toBe('FORBIDDEN');
        expect(codeOf(await t.gql('mutation { createExtraField(input: { target: ACCOUNT, key: "yetkisiz", label: "Yetkisiz", type: TEXT }) { id } }', {}, { as }))).toBe('FORBIDDEN');
        expect(await rows('extra_field_definitions')).toBe(0);
      });
    }

    it('anonymous callers are told to sign in', async () => {
      for (const k of KINDS) {
        const target = targets[k.name];
        expect(codeOf(await list(k, {}, null))).toBe('UNAUTHENTICATED');
        expect(codeOf(await t.gql(`query($id: ID!) { ${lcFirst(k.name)}(id: $id) { id } }`, { id: target.id }))).toBe('UNAUTHENTICATED');
        expect(codeOf(await create(k, k.sample(`Anonim ${seq}`, ++seq), null))).toBe('UNAUTHENTICATED');
        expect(codeOf(await update(k, target.id, target.version, { name: 'Anonim' }, null))).toBe('UNAUTHENTICATED');
        expect(codeOf(await archive(k, target.id, null))).toBe('UNAUTHENTICATED');
      }
      expect(codeOf(await t.gql('{ processStages { total } }'))).toBe('UNAUTHENTICATED');
      expect(codeOf(await t.gql('{ accounts { total } }'))).toBe('UNAUTHENTICATED');
    });
  });

  describe('accounts, contacts and subscriptions', () => {
    const createAccount = (i: Record<string, unknown>, as: RoleName = 'agentA1') =>
      t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id name kind version taxNumber identityNumber phones extra } }', { i }, { as });
    const search = async (filter: Record<string, unknown>, as: RoleName = 'agentA1') => {
      const r = await t.gql('query($f: AccountFilter) { accounts(filter: $f, page: { limit: 500 }) { items { id name } } }', { f: filter }, { as });
      expect(r.errors).toBeUndefined();
      return r.data.accounts.items.map((a: { name: string }) => a.name) as string[];
    };

    it('an agent records a company and an individual, with contacts and subscriptions', async () => {
      const company = await createAccount({ kind: 'COMPANY', name: 'Anadolu Gıda A.Ş.', taxNumber: '1234567890', taxOffice: 'Kadıköy', city: 'İstanbul' });
      expect(company.errors).toBeUndefined();
      expect(company.data.createAccount).toMatchObject({ kind: 'COMPANY', taxNumber: '1234567890' });
      const person = await createAccount({ kind: 'INDIVIDUAL', name: 'Ayşe Yılmaz', identityNumber: '10000000146' });
      expect(person.errors).toBeUndefined();
      expect(person.data.createAccount).toMatchObject({ kind: 'INDIVIDUAL', identityNumber: '10000000146' });

      const contact = await t.gql(
        'mutation($i: CreateContactInput!) { createContact(input: $i) { id fullName email account { name } } }',
        { i: { accountId: company.data.createAccount.id, firstName: 'Hakan', lastName: 'Koç', email: 'Hakan.Koc@Example.com', phone: '0212 555 00 11' } },
        { as: 'agentA1' },
      );
      expect(contact.errors).toBeUndefined();
      expect(contact.data.createContact).toMatchObject({ fullName: 'Hakan Koç', email: 'hakan.koc@example.com', account: { name: 'Anadolu Gıda A.Ş.' } });

      const sub = await t.gql(
        'mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { id number account { name } } }',
        { i: { accountId: company.data.createAccount.id, number: 'AB-1001', startDate: '2026-01-01' } },
        { as: 'agentA1' },
      );
      expect(sub.errors).toBeUndefined();
      expect(sub.data.createSubscription).toMatchObject({ number: 'AB-1001', account: { name: 'Anadolu Gıda A.Ş.' } });

      const read = await t.gql('query($id: ID!) { account(id: $id) { contacts { fullName } subscriptions { number } } }', { id: company.data.createAccount.id }, { as: 'agentB1' });
      expect(read.data.account).toEqual({ contacts: [{ fullName: 'Hakan Koç' }], subscriptions: [{ number: 'AB-1001' }] });
    });

    it('checks the T.C. kimlik numarası checksum and the 10-digit tax number', async () => {
      const before = await rows('accounts');
      for (const identityNumber of ['12345678901', '10000000147', '1000000014', '01234567890', '1000000014a']) {
        const r = await createAccount({ kind: 'INDIVIDUAL', name: `Geçersiz ${identityNumber}`, identityNumber });
        expect({ identityNumber, code: codeOf(r), field: fieldOf(r) }).toEqual({ identityNumber, code: 'BAD_USER_INPUT', field: 'input.identityNumber' });
      }
      for (const taxNumber of ['123456789', '12345678901', '12345ABCDE', '']) {
        const r = await createAccount({ kind: 'COMPANY', name: `Geçersiz VKN ${taxNumber}`, taxNumber });
        expect({ taxNumber, code: codeOf(r), field: fieldOf(r) }).toEqual({ taxNumber, code: 'BAD_USER_INPUT', field: 'input.taxNumber' });
      }
      expect(await rows('accounts')).toBe(before);
      // And on update.
      const ok = await createAccount({ kind: 'INDIVIDUAL', name: 'Mehmet Öz', identityNumber: '10000000146' });
      const upd = await t.gql('mutation($id: ID!, $v: Int!) { updateAccount(id: $id, version: $v, input: { identityNumber: "12345678901" }) { id } }', { id: ok.data.createAccount.id, v: ok.data.createAccount.version }, { as: 'agentA1' });
      expect({ code: codeOf(upd), field: fieldOf(upd) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.identityNumber' });
      const [row] = await t.sql(`select identity_number from accounts where id = $1`, [ok.data.createAccount.id]);
      expect(row.identity_number).toBe('10000000146');
    });

    it('finds a caller by phone however the number is written', async () => {
      const a = await createAccount({ kind: 'INDIVIDUAL', name: 'Telefonla Bulunan', phones: ['0532 111 22 33'] });
      expect(a.errors).toBeUndefined();
      await createAccount({ kind: 'INDIVIDUAL', name: 'Başka Numara', phones: ['0532 111 22 34'] });
      for (const phone of ['+90 (532) 111-2233', '05321112233', '532 111 22 33', '0090 532 111 2233']) {
        expect({ phone, names: await search({ phone }) }).toEqual({ phone, names: ['Telefonla Bulunan'] });
      }
      const bad = await t.gql('{ accounts(filter: { phone: "12-34" }) { total } }', {}, { as: 'agentA1' });
      expect({ code: codeOf(bad), field: fieldOf(bad) }).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.phone' });
    });

    it('searches names Turkish-aware', async () => {
      expect((await createAccount({ kind: 'COMPANY', name: 'IŞIK A.Ş.', taxNumber: '2345678901' })).errors).toBeUndefined();
      expect((await createAccount({ kind: 'COMPANY', name: 'İSTANBUL DENİZCİLİK LTD.', taxNumber: '3456789012' })).errors).toBeUndefined();
      for (const term of ['ışık', 'Işık', 'isik', 'ISIK']) {
        const names = await search({ search: term });
        expect({ term, has: names.includes('IŞIK A.Ş.'), other: names.includes('İSTANBUL DENİZCİLİK LTD.') }).toEqual({ term, has: true, other: false });
      }
      for (const term of ['istanbul', 'İstanbul', 'ISTANBUL', 'denizcilik']) {
        const names = await search({ search: term });
        expect({ term, has: names.includes('İSTANBUL DENİZCİLİK LTD.') }).toEqual({ term, has: true });
      }
      // Tax numbers are searched too.
      expect(await search({ search: '2345678901' })).toEqual(['IŞIK A.Ş.']);
    });

    it('refuses a subscription number that is already used', async () => {
      const other = await createAccount({ kind: 'INDIVIDUAL', name: 'Abone Sahibi' });
      const before = await rows('subscriptions');
      const dup = await t.gql('mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { id } }', { i: { accountId: other.data.createAccount.id, number: 'AB-1001' } }, { as: 'agentA1' });
      expect({ code: codeOf(dup), field: fieldOf(dup) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.number' });
      expect(await rows('subscriptions')).toBe(before);
      const mine = await t.gql('mutation($i: CreateSubscriptionInput!) { createSubscription(input: $i) { id version } }', { i: { accountId: other.data.createAccount.id, number: 'AB-2002' } }, { as: 'agentA1' });
      expect(mine.errors).toBeUndefined();
      const renumber = await t.gql('mutation($id: ID!, $v: Int!) { updateSubscription(id: $id, version: $v, input: { number: "AB-1001" }) { id } }', { id: mine.data.createSubscription.id, v: mine.data.createSubscription.version }, { as: 'agentA1' });
      expect({ code: codeOf(renumber), field: fieldOf(renumber) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.number' });
    });

    it('staff may not archive an account; an administrator may', async () => {
      const a = await createAccount({ kind: 'COMPANY', name: 'Arşivlenecek Ltd.' });
      const id = a.data.createAccount.id;
      for (const as of ['agentA1', 'leaderA'] as RoleName[]) {
        expect(codeOf(await t.gql('mutation($id: ID!) { archiveAccount(id: $id) { id } }', { id }, { as }))).toBe('FORBIDDEN');
      }
      const [row] = await t.sql(`select archived_at from accounts where id = $1`, [id]);
      expect(row.archived_at).toBeNull();
      expect(await search({ search: 'Arşivlenecek' })).toEqual(['Arşivlenecek Ltd.']);
      const done = await t.gql('mutation($id: ID!) { archiveAccount(id: $id) { archivedAt } }', { id }, { as: 'admin' });
      expect(done.data.archiveAccount.archivedAt).toBeTruthy();
      expect(await search({ search: 'Arşivlenecek' })).toEqual([]);
      expect(await search({ search: 'Arşivlenecek', includeArchived: true })).toEqual(['Arşivlenecek Ltd.']);
    });
  });

  // Last: a required contact field makes every later contact need it.
  describe('extra fields', () => {
    const defineField = (i: Record<string, unknown>, as: RoleName = 'admin') =>
      t.gql('mutation($i: CreateExtraFieldInput!) { createExtraField(input: $i) { id key type required options } }', { i }, { as });
    const createAccount = (i: Record<string, unknown>) => t.gql('mutation($i: CreateAccountInput!) { createAccount(input: $i) { id name extra } }', { i }, { as: 'agentA1' });
    const byExtra = async (extra: Record<string, unknown>[]) => {
      const r = await t.gql('query($f: AccountFilter) { accounts(filter: $f, page: { limit: 500 }) { items { name } } }', { f: { search: 'Ekstra', extra } }, { as: 'agentA1' });
      expect(r.errors).toBeUndefined();
      return r.data.accounts.items.map((a: { name: string }) => a.name).sort() as string[];
    };

    it('an agent may not define extra fields', async () => {
      const r = await defineField({ target: 'ACCOUNT', key: 'yas', label: 'Yaş', type: 'NUMBER' }, 'agentA1');
      expect(codeOf(r)).toBe('FORBIDDEN');
      expect(await rows('extra_field_definitions')).toBe(0);
    });

    it('an administrator defines account and contact fields', async () => {
      const defs = [
        { target: 'ACCOUNT', key: 'yas', label: 'Yaş', type: 'NUMBER' },
        { target: 'ACCOUNT', key: 'segment', label: 'Segment', type: 'SINGLE_CHOICE', options: ['Kurumsal', 'Bireysel', 'KOBİ'] },
        { target: 'ACCOUNT', key: 'ilgi', label: 'İlgi alanları', type: 'MULTIPLE_CHOICE', options: ['Spor', 'Müzik', 'Sinema'] },
        { target: 'ACCOUNT', key: 'dogum', label: 'Doğum tarihi', type: 'DATE' },
        { target: 'ACCOUNT', key: 'vip', label: 'VIP', type: 'BOOLEAN' },
        { target: 'CONTACT', key: 'gorev_kodu', label: 'Görev kodu', type: 'TEXT', required: true },
      ];
      for (const d of defs) {
        const r = await defineField(d);
        expect({ key: d.key, errors: r.errors }).toEqual({ key: d.key, errors: undefined });
      }
      const read = await t.gql('{ extraFields(filter: { target: ACCOUNT }) { items { key type options } } }', {}, { as: 'agentA1' });
      expect(read.data.extraFields.items.map((f: { key: string }) => f.key).sort()).toEqual(['dogum', 'ilgi', 'segment', 'vip', 'yas']);
      const dup = await defineField({ target: 'ACCOUNT', key: 'yas', label: 'Yaş 2', type: 'TEXT' });
      expect({ code: codeOf(dup), field: fieldOf(dup) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.key' });
    });

    it('checks values against their definitions', async () => {
      const before = await rows('accounts');
      const cases: [Record<string, unknown>, string][] = [
        [{ yas: 'otuz' }, 'input.extra.yas'],
        [{ yas: true }, 'input.extra.yas'],
        [{ bilinmeyen: 1 }, 'input.extra.bilinmeyen'],
        [{ segment: 'Devlet' }, 'input.extra.segment'],
        [{ segment: 'kurumsal' }, 'input.extra.segment'],
        [{ ilgi: ['Dans'] }, 'input.extra.ilgi'],
        [{ ilgi: 'Spor' }, 'input.extra.ilgi'],
        [{ dogum: '2026-02-30' }, 'input.extra.dogum'],
        [{ dogum: '01.05.1990' }, 'input.extra.dogum'],
        [{ vip: 'evet' }, 'input.extra.vip'],
      ];
      for (const [extra, field] of cases) {
        const r = await createAccount({ kind: 'INDIVIDUAL', name: 'Ekstra Geçersiz', extra });
        expect({ extra, code: codeOf(r), field: fieldOf(r) }).toEqual({ extra, code: 'BAD_USER_INPUT', field });
      }
      expect(await rows('accounts')).toBe(before);
      const ok = await createAccount({ kind: 'INDIVIDUAL', name: 'Ekstra Geçerli', extra: { yas: 41, segment: 'KOBİ', ilgi: ['Müzik'], dogum: '1985-07-15', vip: false } });
      expect(ok.errors).toBeUndefined();
      expect(ok.data.createAccount.extra).toEqual({ yas: 41, segment: 'KOBİ', ilgi: ['Müzik'], dogum: '1985-07-15', vip: false });
    });

    it('requires a required contact field', async () => {
      const acc = await createAccount({ kind: 'COMPANY', name: 'Ekstra Kişili' });
      const make = (extra?: Record<string, unknown>) =>
        t.gql('mutation($i: CreateContactInput!) { createContact(input: $i) { id version extra } }', { i: { accountId: acc.data.createAccount.id, firstName: 'Zeynep', lastName: 'Kaya', ...(extra ? { extra } : {}) } }, { as: 'agentA1' });
      const before = await rows('contacts');
      for (const extra of [undefined, {}, { gorev_kodu: '' }, { gorev_kodu: null }]) {
        const r = await make(extra);
        expect({ extra, code: codeOf(r), field: fieldOf(r) }).toEqual({ extra, code: 'BAD_USER_INPUT', field: 'input.extra.gorev_kodu' });
      }
      expect(await rows('contacts')).toBe(before);
      const ok = await make({ gorev_kodu: 'SATIN-01' });
      expect(ok.errors).toBeUndefined();
      expect(ok.data.createContact.extra).toEqual({ gorev_kodu: 'SATIN-01' });
      const clear = await t.gql('mutation($id: ID!, $v: Int!) { updateContact(id: $id, version: $v, input: { extra: { gorev_kodu: null } }) { id } }', { id: ok.data.createContact.id, v: ok.data.createContact.version }, { as: 'agentA1' });
      expect({ code: codeOf(clear), field: fieldOf(clear) }).toEqual({ code: 'BAD_USER_INPUT', field: 'input.extra.gorev_kodu' });
    });

    describe('filtering accounts by extra values', () => {
      beforeAll(async () => {
        const seed = [
          { name: 'Ekstra 1', extra: { segment: 'Kurumsal', yas: 30, ilgi: ['Spor', 'Müzik'], dogum: '1990-05-01', vip: true } },
          { name: 'Ekstra 2', extra: { segment: 'Bireysel', yas: 45, ilgi: ['Sinema'], dogum: '1979-01-15', vip: false } },
          { name: 'Ekstra 3', extra: { segment: 'KOBİ', yas: 22, ilgi: ['Spor'], dogum: '2002-12-31', vip: true } },
          { name: 'Ekstra 4', extra: {} },
        ];
        for (const x of seed) {
          const r = await createAccount({ kind: 'INDIVIDUAL', ...x });
          if (r.errors) throw new Error(JSON.stringify(r.errors));
        }
        // Also matched by the "Ekstra" search: Ekstra Geçerli (KOBİ, 41, Müzik, 1985-07-15, not VIP) and Ekstra Kişili (none).
      });

      it('equals and in on a SINGLE_CHOICE field', async () => {
        expect(await byExtra([{ key: 'segment', equals: 'Kurumsal' }])).toEqual(['Ekstra 1']);
        expect(await byExtra([{ key: 'segment', in: ['Bireysel', 'KOBİ'] }])).toEqual(['Ekstra 2', 'Ekstra 3', 'Ekstra Geçerli']);
      });

      it('a MULTIPLE_CHOICE field equals (contains) a choice, or one of several', async () => {
        expect(await byExtra([{ key: 'ilgi', equals: 'Spor' }])).toEqual(['Ekstra 1', 'Ekstra 3']);
        expect(await byExtra([{ key: 'ilgi', in: ['Sinema', 'Müzik'] }])).toEqual(['Ekstra 1', 'Ekstra 2', 'Ekstra Geçerli']);
      });

      it('a NUMBER field between gte and lte', async () => {
        expect(await byExtra([{ key: 'yas', gte: '25', lte: '45' }])).toEqual(['Ekstra 1', 'Ekstra 2', 'Ekstra Geçerli']);
        expect(await byExtra([{ key: 'yas', gte: '42' }])).toEqual(['Ekstra 2']);
        expect(await byExtra([{ key: 'yas', lte: '22' }])).toEqual(['Ekstra 3']);
      });

      it('a DATE field within a range', async () => {
        expect(await byExtra([{ key: 'dogum', gte: '1985-01-01', lte: '2000-12-31' }])).toEqual(['Ekstra 1', 'Ekstra Geçerli']);
        expect(await byExtra([{ key: 'dogum', gte: '2000-01-01' }])).toEqual(['Ekstra 3']);
      });

      it('a BOOLEAN field, and several conditions together', async () => {
        expect(await byExtra([{ key: 'vip', equals: true }])).toEqual(['Ekstra 1', 'Ekstra 3']);
        expect(await byExtra([{ key: 'vip', equals: false }])).toEqual(['Ekstra 2', 'Ekstra Geçerli']);
        expect(await byExtra([{ key: 'segment', in: ['Kurumsal', 'KOBİ'] }, { key: 'vip', equals: true }])).toEqual(['Ekstra 1', 'Ekstra 3']);
      });

      it('refuses filters on unknown keys, orders on unordered fields and values that are not options', async () => {
        const run = (extra: Record<string, unknown>[]) => t.gql('query($f: AccountFilter) { accounts(filter: $f) { total } }', { f: { extra } }, { as: 'agentA1' });
        const unknown = await run([{ key: 'bilinmeyen', equals: 1 }]);
        expect({ code: codeOf(unknown), field: fieldOf(unknown) }).toEqual({ code: 'BAD_USER_INPUT', field: 'filter.extra.0.key' });
        expect(codeOf(await run([{ key: 'segment', gte: 'A' }]))).toBe('BAD_USER_INPUT');
        expect(codeOf(await run([{ key: 'segment', equals: 'Devlet' }]))).toBe('BAD_USER_INPUT');
        expect(codeOf(await run([{ key: 'yas', gte: 'yirmi' }]))).toBe('BAD_USER_INPUT');
        expect(codeOf(await run([{ key: 'dogum', lte: '2026-02-30' }]))).toBe('BAD_USER_INPUT');
      });
    });

    it('lets containment on extra values use the GIN index accounts_extra_gin', async () => {
      // One session: the setting must apply to the EXPLAIN that follows it.
      const client = new pg.Client({ connectionString: t.dbUrl });
      await client.connect();
      try {
        await client.query('begin');
        await client.query('set local enable_seqscan = off');
        const plan = await client.query(`explain select id from accounts where extra @> '{"segment":"Kurumsal"}'`);
        await client.query('rollback');
        const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toContain('accounts_extra_gin');
      } finally {
        await client.end();
      }
    });
  });
});
