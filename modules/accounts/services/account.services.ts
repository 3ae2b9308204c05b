import { raw, type FilterQuery } from '@mikro-orm/core';
import { crudService, givenFields } from '../../../api/crud';
import { scoped, type Context } from '../../../api/context';
import { BadInputError } from '../../../api/errors';
import { likePattern, parseId, searchFold, textArray } from '../../../api/ids';
import { ExtraFieldTarget } from '../../extra-fields/entities/extra-field-definition.entity';
import { extraValueWhere, validateExtraValues } from '../../extra-fields/services/extra-field.service';
import { requireActiveUser } from '../../identity/services/assignee.service';
import {
  AccountFilter,
  AccountSort,
  ContactFilter,
  ContactSort,
  CreateAccountInput,
  CreateContactInput,
  CreateRegionInput,
  CreateSubscriptionInput,
  RegionFilter,
  RegionSort,
  SubscriptionFilter,
  SubscriptionSort,
  UpdateAccountInput,
  UpdateContactInput,
  UpdateRegionInput,
  UpdateSubscriptionInput,
} from '../dto/account.input';
import { Account, AccountKind, Contact, Region, Subscription } from '../entities/account.entities';

/** The last ten digits of a phone number: how callers are recognised. */
export function phoneKey(phone: string): string | null {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 7 ? digits.slice(-10) : null;
}

/** T.C. kimlik numarası checksum (the 10th and 11th digits). */
export function validIdentityNumber(n: string): boolean {
  if (!/^[1-9]\d{10}$/.test(n)) return false;
  const d = n.split('').map(Number);
  const d10 = ((d[0] + d[2] + d[4] + d[6] + d[8]) * 7 - (d[1] + d[3] + d[5] + d[7])) % 10;
  const d11 = d.slice(0, 10).reduce((a, b) => a + b, 0) % 10;
  return ((d10 + 10) % 10) === d[9] && d11 === d[10];
}


async function accountData(ctx: Context, input: CreateAccountInput | UpdateAccountInput, existing?: Account) {
  const data = givenFields(input, ['regionId', 'extra', 'phones', 'emails']);
  if (input.identityNumber && !validIdentityNumber(input.identityNumber)) throw new BadInputError('input.identityNumber', 'This is not a valid T.C. kimlik numarası.');
  if (input.phones !== undefined) {
    const phones = [...new Set(input.phones.map((p) => p.trim()).filter(Boolean))];
    data.phones = phones;
    data.phoneKeys = [...new Set(phones.map(phoneKey).filter((k): k is string => !!k))];
  }
  if (input.emails !== undefined) data.emails = [...new Set(input.emails.map((e) => e.trim().toLowerCase()))];
  if (input.regionId !== undefined) data.region = await regionService.require(ctx, input.regionId, 'input.regionId');
  if (input.extra !== undefined || !existing) data.extra = await validateExtraValues(ctx, ExtraFieldTarget.ACCOUNT, input.extra, existing?.extra ?? {});
  return data;
}

export const regionService = crudService<Region, CreateRegionInput, UpdateRegionInput, RegionFilter>({
  entity: Region,
  subject: 'Region',
  name: 'Region',
  plural: 'regions',
  CreateInput: CreateRegionInput,
  UpdateInput: UpdateRegionInput,
  Filter: RegionFilter,
  Sort: RegionSort,
  defaultSort: [{ field: 'name' }],
  searchColumns: ['name'],
  uniqueColumn: { column: 'name', property: 'name', field: 'input.name' },
  fieldOf: (k) => (k === 'responsibleId' ? 'responsible' : k),
  async fromCreate(ctx, input) {
    return { ...givenFields(input, ['responsibleId']), responsible: await requireActiveUser(ctx, input.responsibleId, 'input.responsibleId') };
  },
  async fromUpdate(ctx, input) {
    const data = givenFields(input, ['responsibleId']);
    if (input.responsibleId !== undefined) data.responsible = await requireActiveUser(ctx, input.responsibleId, 'input.responsibleId');
    return data;
  },
});


export const accountService = crudService<Account, CreateAccountInput, UpdateAccountInput, AccountFilter>({
  entity: Account,
  subject: 'Account',
  name: 'Account',
  plural: 'accounts',
  CreateInput: CreateAccountInput,
  UpdateInput: UpdateAccountInput,
  Filter: AccountFilter,
  Sort: AccountSort,
  defaultSort: [{ field: 'name' }],
  searchColumns: ['name', 'tax_number', 'identity_number'],
  fieldOf: (k) => (k === 'regionId' ? 'region' : k),
  fromCreate: (ctx, input) => accountData(ctx, input),
  fromUpdate: (ctx, input, existing) => accountData(ctx, input, existing),
  async filterWhere(ctx, f) {
    const regionId = f.regionId ? parseId(f.regionId, 'filter.regionId') : undefined;
    const key = f.phone ? phoneKey(f.phone) : undefined;
    if (f.phone && !key) throw new BadInputError('filter.phone', 'Give at least 7 digits of the phone number.');
    const extra = await extraValueWhere<Account>(ctx, ExtraFieldTarget.ACCOUNT, f.extra);
    return () => {
      const w: FilterQuery<Account>[] = [];
      if (f.kind) w.push({ kind: f.kind });
      if (regionId) w.push({ region: regionId });
      if (key) w.push({ [raw((a) => `${a}.phone_keys @> array[?]::text[]`, [key])]: true } as FilterQuery<Account>);
      return [...w, ...extra()];
    };
  },
});

export const contactService = crudService<Contact, CreateContactInput, UpdateContactInput, ContactFilter>({
  entity: Contact,
  subject: 'Contact',
  name: 'Contact',
  plural: 'contacts',
  CreateInput: CreateContactInput,
  UpdateInput: UpdateContactInput,
  Filter: ContactFilter,
  Sort: ContactSort,
  defaultSort: [{ field: 'lastName' }, { field: 'firstName' }],
  searchColumns: ['first_name', 'last_name', 'email', 'phone'],
  fieldOf: (k) => (k === 'accountId' ? 'account' : k),
  async fromCreate(ctx, input) {
    const account = await accountService.require(ctx, input.accountId, 'input.accountId');
    return {
      ...givenFields(input, ['accountId', 'extra']),
      email: input.email?.trim().toLowerCase() ?? null,
      account,
      extra: await validateExtraValues(ctx, ExtraFieldTarget.CONTACT, input.extra, {}),
    };
  },
  async fromUpdate(ctx, input, existing) {
    const data = givenFields(input, ['extra']);
    if (input.email) data.email = input.email.trim().toLowerCase();
    if (input.extra !== undefined) data.extra = await validateExtraValues(ctx, ExtraFieldTarget.CONTACT, input.extra, existing.extra);
    return data;
  },
  async filterWhere(ctx, f) {
    const accountId = f.accountId ? parseId(f.accountId, 'filter.accountId') : undefined;
    const extra = await extraValueWhere<Contact>(ctx, ExtraFieldTarget.CONTACT, f.extra);
    return () => [...(accountId ? [{ account: accountId }] : []), ...extra()];
  },
});

export const subscriptionService = crudService<Subscription, CreateSubscriptionInput, UpdateSubscriptionInput, SubscriptionFilter>({
  entity: Subscription,
  subject: 'Subscription',
  name: 'Subscription',
  plural: 'subscriptions',
  CreateInput: CreateSubscriptionInput,
  UpdateInput: UpdateSubscriptionInput,
  Filter: SubscriptionFilter,
  Sort: SubscriptionSort,
  defaultSort: [{ field: 'number' }],
  searchColumns: ['number', 'name'],
  fieldOf: (k) => (k === 'accountId' ? 'account' : k),
  async fromCreate(ctx, input) {
    if (await ctx.em.findOne(Subscription, { number: input.number.trim() })) throw new BadInputError('input.number', 'Another subscription already has this number.', 'NOT_UNIQUE');
    if (input.startDate && input.endDate && input.endDate < input.startDate) throw new BadInputError('input.endDate', 'The end date is before the start date.', 'DATE_ORDER');
    return { ...givenFields(input, ['accountId']), account: await accountService.require(ctx, input.accountId, 'input.accountId') };
  },
  async fromUpdate(ctx, input, existing) {
    if (input.number && (await ctx.em.findOne(Subscription, { number: input.number.trim(), id: { $ne: existing.id } }))) throw new BadInputError('input.number', 'Another subscription already has this number.', 'NOT_UNIQUE');
    const start = input.startDate !== undefined ? input.startDate : existing.startDate;
    const end = input.endDate !== undefined ? input.endDate : existing.endDate;
    if (start && end && end < start) throw new BadInputError('input.endDate', 'The end date is before the start date.', 'DATE_ORDER');
    return givenFields(input);
  },
  async filterWhere(_ctx, f) {
    const accountId = f.accountId ? parseId(f.accountId, 'filter.accountId') : undefined;
    return () => (accountId ? [{ account: accountId }] : []);
  },
});

/** A contact for another module's write that must belong to `account` (a reporter, a contact). */
export async function contactOfAccount(ctx: Context, id: string | number | null | undefined, account: Account, field: string): Promise<Contact | null> {
  const contact = await contactService.require(ctx, id, field);
  if (contact && contact.account.id !== account.id) throw new BadInputError(field, `${contact.firstName} ${contact.lastName} is not a contact of ${account.name}.`);
  return contact;
}

/** A subscription for another module's write that must belong to `account`. */
export async function subscriptionOfAccount(ctx: Context, id: string | number | null | undefined, account: Account, field: string): Promise<Subscription | null> {
  const sub = await subscriptionService.require(ctx, id, field);
  if (sub && sub.account.id !== account.id) throw new BadInputError(field, `Subscription ${sub.number} belongs to another account.`);
  return sub;
}

/** The responsible user of an account's region (fills an application's responsible). */
export async function regionResponsibleOf(ctx: Context, account: Account): Promise<number | null> {
  if (!account.region) return null;
  const region = await ctx.loaders.byId(Region).load(account.region.id);
  return region && !region.archivedAt && region.responsible ? region.responsible.id : null;
}

/** Ids of accounts whose name contains the term (Turkish-aware), for other modules' searches. */
export async function accountIdsMatching(ctx: Context, term: string, limit = 2000): Promise<number[]> {
  const rows = await ctx.em.find(Account, { [raw((a) => `tr_fold(${a}.name)`)]: { $like: likePattern(searchFold(term)) } } as FilterQuery<Account>, { fields: ['id'], limit });
  return rows.map((r) => r.id);
}


/**
 * Names of the accounts and contacts among these ids that the user may read (others are
 * absent): one statement each, for a whole batch of exported rows.
 */
export async function accountAndContactNames(ctx: Context, accountIds: number[], contactIds: number[]): Promise<{ accounts: Map<number, string>; contacts: Map<number, string> }> {
  const accountWhere = accountIds.length ? scoped<Account>(ctx, 'read', 'Account', { id: { $in: accountIds } }) : null;
  const contactWhere = contactIds.length ? scoped<Contact>(ctx, 'read', 'Contact', { id: { $in: contactIds } }) : null;
  const [accounts, contacts] = await Promise.all([
    accountWhere ? ctx.em.find(Account, accountWhere, { fields: ['id', 'name'] }) : [],
    contactWhere ? ctx.em.find(Contact, contactWhere, { fields: ['id', 'firstName', 'lastName'] }) : [],
  ]);
  return { accounts: new Map(accounts.map((a) => [a.id, a.name])), contacts: new Map(contacts.map((c) => [c.id, `${c.firstName} ${c.lastName}`])) };
}

/**
 * Accounts the user may read that share a tax number, an e-mail or a phone (last ten
 * digits) with the given keys: one statement for a whole batch (imports match rows with it).
 */
export async function accountsMatching(ctx: Context, keys: { taxNumbers: string[]; emails: string[]; phoneKeys: string[] }): Promise<Account[]> {
  if (!keys.taxNumbers.length && !keys.emails.length && !keys.phoneKeys.length) return [];
  const where = scoped<Account>(ctx, 'read', 'Account', {
    archivedAt: null,
    $or: [
      ...(keys.taxNumbers.length ? [{ taxNumber: { $in: keys.taxNumbers } }] : []),
      ...(keys.emails.length ? [{ [raw((a) => `${a}.emails && ?::text[]`, [textArray(keys.emails)])]: true }] : []),
      ...(keys.phoneKeys.length ? [{ [raw((a) => `${a}.phone_keys && ?::text[]`, [textArray(keys.phoneKeys)])]: true }] : []),
    ],
  } as FilterQuery<Account>);
  return where ? ctx.em.find(Account, where) : [];
}

/**
 * Contacts the user may read with one of the given e-mails, or on one of the given accounts
 * with a phone whose last ten digits match: one statement per batch (imports).
 */
export async function contactsMatching(ctx: Context, keys: { emails: string[]; accountIds: number[]; phoneKeys: string[] }): Promise<Contact[]> {
  const ors: FilterQuery<Contact>[] = [];
  if (keys.emails.length) ors.push({ email: { $in: keys.emails } });
  if (keys.accountIds.length && keys.phoneKeys.length) {
    ors.push({ account: { $in: keys.accountIds }, [raw((a) => `right(regexp_replace(coalesce(${a}.phone, ''), '\\D', '', 'g'), 10) = any(?::text[])`, [textArray(keys.phoneKeys)])]: true } as FilterQuery<Contact>);
  }
  if (!ors.length) return [];
  const where = scoped<Contact>(ctx, 'read', 'Contact', { archivedAt: null, $or: ors } as FilterQuery<Contact>);
  return where ? ctx.em.find(Contact, where) : [];
}

/**
 * The applicant of a mail: the contact with this e-mail address (and its account), else an
 * account listing the address, else a new individual account with a contact, named from
 * the sender's display name. Inside the caller's transaction.
 */
export async function applicantByEmail(ctx: Context, email: string, displayName?: string | null): Promise<{ account: Account; contact: Contact | null; created: boolean }> {
  const address = email.trim().toLowerCase();
  const find = async () => {
    const contact = await ctx.em.findOne(Contact, { email: address, archivedAt: null, account: { archivedAt: null } }, { orderBy: { id: 'asc' }, populate: ['account'] });
    if (contact) return { account: contact.account as Account, contact, created: false };
    const account = await ctx.em.findOne(Account, { [raw((a) => `${a}.emails @> array[?]::text[]`, [address])]: true, archivedAt: null } as FilterQuery<Account>, { orderBy: { id: 'asc' } });
    return account ? { account, contact: null, created: false } : null;
  };
  const found = await find();
  if (found) return found;
  // One creator per address (parallel mail from a new sender): wait, then look again.
  await ctx.em.execute(`select pg_advisory_xact_lock(hashtext('applicant-email'), hashtext(?))`, [address]);
  const again = await find();
  if (again) return again;
  const name = (displayName ?? '').replace(/["<>]/g, '').trim().slice(0, 200) || address.split('@')[0];
  const parts = name.split(/\s+/);
  const lastName = parts.length > 1 ? parts.pop()! : '-';
  const created = ctx.em.create(Account, { kind: AccountKind.INDIVIDUAL, name, emails: [address], phones: [], phoneKeys: [], extra: {} } as never);
  const newContact = ctx.em.create(Contact, { account: created, firstName: parts.join(' ').slice(0, 100), lastName: lastName.slice(0, 100), email: address, extra: {} } as never);
  await ctx.em.flush();
  return { account: created, contact: newContact, created: true };
}
