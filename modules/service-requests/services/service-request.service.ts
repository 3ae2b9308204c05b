import { raw, type FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { GraphQLResolveInfo } from 'graphql';
import { assertCanWriteInput, canOn } from '../../../api/ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from '../../../api/context';
import { BadInputError, ForbiddenError } from '../../../api/errors';
import { likePattern, parseId, parseIds, searchFold } from '../../../api/ids';
import { direction, paginate, selects, type PageInput } from '../../../api/pagination';
import { Account } from '../../accounts/entities/account.entities';
import { accountService, contactOfAccount, subscriptionOfAccount } from '../../accounts/services/account.services';
import { resolveAssignee, type AssigneeRef } from '../../identity/services/assignee.service';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Priority } from '../../reference/entities/reference.entities';
import { priorityService } from '../../reference/services/reference.services';
import type { CreateServiceRequestInput, ServiceRequestDateRange, ServiceRequestFilter, ServiceRequestSort, UpdateServiceRequestInput } from '../dto/service-request.input';
import { ServiceRequest, ServiceRequestHistory } from '../entities/service-request.entities';
import { ServiceStage } from '../entities/service-stage.entity';
import { historyValue, sameValue, withLabel } from '../../../api/history';

const SUBJECT = 'ServiceRequest';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Who works on it, as other modules pass it: a user, a team (or a user of that team), or everyone. */
/** Who works on a service request (see identity's assignee service). */
export type ServiceRequestAssignee = AssigneeRef;

/**
 * What a new service request needs. The create mutation passes its input; other modules
 * (an application turned into a service request) pass what they have.
 */
export interface NewServiceRequest {
  accountId: string | number;
  contactId?: string | number | null;
  subscriptionId?: string | number | null;
  subject: string;
  detail?: string | null;
  product?: string | null;
  serialNumber?: string | null;
  /** The default priority when absent. */
  priorityId?: string | number | null;
  /** The initial stage when absent. */
  stageId?: string | number | null;
  assignee?: ServiceRequestAssignee | null;
  /** YYYY-MM-DD; today when absent. */
  requestedDate?: string | null;
  plannedDate?: string | null;
  resolutionNote?: string | null;
}

/** Input keys → entity fields, for field rules and history. */
const FIELD_OF: Record<string, string> = {
  accountId: 'account',
  contactId: 'contact',
  subscriptionId: 'subscription',
  priorityId: 'priority',
  stageId: 'stage',
  assignee: 'assignee',
};
const fieldOf = (k: string) => FIELD_OF[k] ?? k;




function history(ctx: Context, sr: ServiceRequest, field: string, oldValue: unknown, newValue: unknown): void {
  ctx.em.create(ServiceRequestHistory, {
    serviceRequest: sr,
    actor: ctx.user ? ctx.em.getReference(User, ctx.user.id) : null,
    field,
    oldValue: historyValue(oldValue),
    newValue: historyValue(newValue),
  });
}

/** SR-2026-000012: the next number of the year, from a counter row locked by the upsert. */
async function nextNumber(em: SqlEntityManager, date: Date): Promise<string> {
  const year = date.getUTCFullYear();
  const [row] = await em.execute<{ last: number }[]>(
    `insert into service_request_counters (year, last) values (?, 1)
     on conflict (year) do update set last = service_request_counters.last + 1 returning last`,
    [year],
  );
  return `SR-${year}-${String(row.last).padStart(6, '0')}`;
}

const today = () => new Date().toISOString().slice(0, 10);

function validDate(value: string, field: string): string {
  if (!DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
    throw new BadInputError(field, 'Not a valid date (YYYY-MM-DD).', 'INVALID_DATE');
  }
  return value;
}

/** Optional text: trimmed, empty becomes null, at most `max` characters. */
function text(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new BadInputError(field, 'Must be text.');
  const t = value.trim();
  if (t.length > max) throw new BadInputError(field, `At most ${max} characters.`, 'TOO_LONG', { max });
  return t || null;
}

function requiredSubject(value: string | null | undefined, field = 'input.subject'): string {
  const s = text(value, field, 500);
  if (!s) throw new BadInputError(field, 'A subject is required.', 'REQUIRED');
  return s;
}




async function priorityOf(ctx: Context, id: string | number | null | undefined): Promise<Priority> {
  const given = await priorityService.require(ctx, id, 'input.priorityId');
  if (given) return given;
  const row = (await ctx.em.findOne(Priority, { isDefault: true, archivedAt: null })) ?? (await ctx.em.findOne(Priority, { archivedAt: null, active: true }, { orderBy: { sortOrder: 'asc', id: 'asc' } }));
  if (!row) throw new BadInputError('input.priorityId', 'No priority is configured; an administrator must create one.');
  return row;
}

async function stageById(ctx: Context, id: string | number | null | undefined, field: string): Promise<ServiceStage> {
  if (id !== null && id !== undefined && id !== '') {
    const s = await ctx.em.findOne(ServiceStage, { id: parseId(id, field), archivedAt: null });
    if (!s) throw new BadInputError(field, `No such service stage: ${id}.`, 'NOT_FOUND_REFERENCE');
    if (!s.active) throw new BadInputError(field, `${s.name} is inactive.`, 'INACTIVE_REFERENCE');
    return s;
  }
  const initial =
    (await ctx.em.findOne(ServiceStage, { isInitial: true, archivedAt: null, active: true })) ??
    (await ctx.em.findOne(ServiceStage, { archivedAt: null, active: true, closed: false }, { orderBy: { sortOrder: 'asc', id: 'asc' } }));
  if (!initial) throw new BadInputError(field, 'No service stage is configured; an administrator must create one.');
  return initial;
}

/** Loads a service request for a write: readable (else NOT_FOUND), locked, not archived, allowed, right version. */
async function forWrite(ctx: Context, id: string, action: string, version?: number): Promise<ServiceRequest> {
  const sr = await findReadable(ctx, ServiceRequest, SUBJECT, parseId(id, 'id'), { forUpdate: true });
  if (sr.archivedAt) throw new BadInputError('id', `Service request ${sr.number} is archived.`, 'ARCHIVED');
  authorize(ctx, action, SUBJECT, sr);
  if (version !== undefined) assertVersion(SUBJECT, sr, version);
  return sr;
}

async function publish(ctx: Context, type: string, sr: ServiceRequest) {
  await ctx.events.publish(ctx.em, { type: `${SUBJECT}.${type}`, subject: SUBJECT, id: sr.id, actorId: ctx.user?.id, data: { accountId: sr.account.id } });
}

/** A range filter on a date column, both ends included. */
function range(field: string, r: ServiceRequestDateRange | undefined | null, path: string): FilterQuery<ServiceRequest>[] {
  if (!r || (!r.from && !r.to)) return [];
  const cond: Record<string, string> = {};
  if (r.from) cond.$gte = validDate(r.from, `${path}.from`);
  if (r.to) cond.$lte = validDate(r.to, `${path}.to`);
  return [{ [field]: cond } as FilterQuery<ServiceRequest>];
}

const SORT_PATHS: Record<string, (d: string) => Record<string, unknown>> = {
  priority: (d) => ({ priority: { sortOrder: d } }),
  stage: (d) => ({ stage: { sortOrder: d } }),
  account: (d) => ({ account: { name: d } }),
};

/**
 * Creates a service request inside the caller's transaction (`tctx` is a context on its
 * transactional EntityManager, see withEm): checks the permission and field rules,
 * validates (errors name `input.<key>`), numbers it, writes its history and publishes
 * `ServiceRequest.created`. The create mutation and other modules' conversions both use it.
 */
export async function createServiceRequestIn(tctx: Context, input: NewServiceRequest): Promise<ServiceRequest> {
  authorize(tctx, 'create', SUBJECT);
  assertCanWriteInput(tctx.ability, 'create', SUBJECT, null, input, fieldOf);
  const em = tctx.em;
  if (input.accountId === null || input.accountId === undefined || input.accountId === '') throw new BadInputError('input.accountId', 'An account is required.', 'REQUIRED');
  const account = (await accountService.require(tctx, input.accountId, 'input.accountId'))!;
  const subject = requiredSubject(input.subject);
  const stage = await stageById(tctx, input.stageId, 'input.stageId');
  const requestedDate = input.requestedDate ? validDate(input.requestedDate, 'input.requestedDate') : today();
  const plannedDate = input.plannedDate ? validDate(input.plannedDate, 'input.plannedDate') : null;
  if (plannedDate && plannedDate < requestedDate) throw new BadInputError('input.plannedDate', 'The planned date is before the requested date.', 'DATE_ORDER');
  const sr = em.create(ServiceRequest, {
    number: await nextNumber(em, new Date()),
    account,
    contact: await contactOfAccount(tctx, input.contactId, account, 'input.contactId'),
    subscription: await subscriptionOfAccount(tctx, input.subscriptionId, account, 'input.subscriptionId'),
    subject,
    detail: text(input.detail, 'input.detail', 100_000),
    product: text(input.product, 'input.product', 300),
    serialNumber: text(input.serialNumber, 'input.serialNumber', 100),
    stage,
    priority: await priorityOf(tctx, input.priorityId),
    ...(await resolveAssignee(tctx, input.assignee)),
    requestedDate,
    plannedDate,
    resolutionNote: text(input.resolutionNote, 'input.resolutionNote', 100_000),
    createdBy: tctx.user ? em.getReference(User, tctx.user.id) : null,
    closedAt: stage.closed ? new Date() : null,
  });
  await em.flush();
  history(tctx, sr, 'created', null, sr.number);
  await em.flush();
  await publish(tctx, 'created', sr);
  return sr;
}

export const serviceRequestService = {
  /** The list's filter as conditions (checked first; a factory, see paginate). */
  where(ctx: Context, f: ServiceRequestFilter = {}): () => FilterQuery<ServiceRequest> | null {
    const ids = (v: string[] | undefined | null, field: string) => (v?.length ? parseIds(v, field) : undefined);
    const p = {
      ids: ids(f.ids, 'filter.ids'),
      accounts: ids(f.accountIds, 'filter.accountIds'),
      contact: f.contactId ? parseId(f.contactId, 'filter.contactId') : undefined,
      subscription: f.subscriptionId ? parseId(f.subscriptionId, 'filter.subscriptionId') : undefined,
      stages: ids(f.stageIds, 'filter.stageIds'),
      priorities: ids(f.priorityIds, 'filter.priorityIds'),
      users: ids(f.assigneeUserIds, 'filter.assigneeUserIds'),
      teams: ids(f.assigneeTeamIds, 'filter.assigneeTeamIds'),
      createdBy: f.createdById ? parseId(f.createdById, 'filter.createdById') : undefined,
    };
    const ranges = () => [...range('requestedDate', f.requestedDate, 'filter.requestedDate'), ...range('plannedDate', f.plannedDate, 'filter.plannedDate')];
    ranges(); // checks the dates before any query
    const term = f.search?.trim();
    return () => {
      const w: FilterQuery<ServiceRequest>[] = [];
      if (!f.includeArchived) w.push({ archivedAt: null });
      if (p.ids) w.push({ id: { $in: p.ids } });
      if (p.accounts) w.push({ account: { $in: p.accounts } });
      if (p.contact) w.push({ contact: p.contact });
      if (p.subscription) w.push({ subscription: p.subscription });
      if (p.stages) w.push({ stage: { $in: p.stages } });
      if (f.closed === true) w.push({ closedAt: { $ne: null } });
      if (f.closed === false) w.push({ closedAt: null });
      if (p.priorities) w.push({ priority: { $in: p.priorities } });
      if (p.users) w.push({ assigneeUser: { $in: p.users } });
      if (p.teams) w.push({ assigneeTeam: { $in: p.teams } });
      if (f.assignedToEveryone !== undefined && f.assignedToEveryone !== null) w.push({ assigneeEveryone: f.assignedToEveryone });
      if (f.unassigned) w.push({ assigneeUser: null, assigneeTeam: null, assigneeEveryone: false });
      if (p.createdBy) w.push({ createdBy: p.createdBy });
      w.push(...ranges());
      if (term) {
        // The same expression as the trigram index service_requests_search_trgm.
        const expr = raw((a) => `tr_fold(${a}.number || ' ' || ${a}.subject || ' ' || coalesce(${a}.detail, '') || ' ' || coalesce(${a}.serial_number, ''))`);
        w.push({ [expr]: { $like: likePattern(searchFold(term)) } } as FilterQuery<ServiceRequest>);
      }
      return scoped<ServiceRequest>(ctx, 'read', SUBJECT, w.length ? { $and: w } : {});
    };
  },

  async list(ctx: Context, filter: ServiceRequestFilter | undefined | null, sort: ServiceRequestSort[] | undefined | null, page: PageInput | undefined | null, info?: GraphQLResolveInfo) {
    const whereOf = serviceRequestService.where(ctx, filter ?? {});
    const order = sort?.length
      ? sort.map((s) => {
          const d = direction(s.direction);
          return SORT_PATHS[s.field] ? SORT_PATHS[s.field](d) : { [s.field]: d };
        })
      : [{ requestedDate: 'desc' }, { id: 'desc' }];
    // Sorting by a relation's column needs that relation loaded (cursors read its value).
    const populate = (sort ?? []).map((s) => s.field as string).filter((f) => f in SORT_PATHS);
    return paginate(ctx.em, ServiceRequest, whereOf, {
      page,
      populate: populate.length ? populate : undefined,
      orderBy: order as never,
      countCap: ctx.config.LIST_COUNT_CAP,
      wantTotal: selects(info, 'total', 'totalExact'),
      wantItems: selects(info, 'items', 'pageInfo'),
    });
  },

  get(ctx: Context, id: string | number) {
    return findReadable(ctx, ServiceRequest, SUBJECT, typeof id === 'number' ? id : parseId(id, 'id'));
  },

  async create(ctx: Context, input: CreateServiceRequestInput): Promise<ServiceRequest> {
    authorize(ctx, 'create', SUBJECT);
    assertCanWriteInput(ctx.ability, 'create', SUBJECT, null, input, fieldOf);
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      return createServiceRequestIn(tctx, input);
    });
  },

  async update(ctx: Context, id: string, version: number, input: UpdateServiceRequestInput): Promise<ServiceRequest> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const sr = await forWrite(tctx, id, 'update', version);
      assertCanWriteInput(ctx.ability, 'update', SUBJECT, sr, input, fieldOf);
      const next: Record<string, unknown> = {};
      if (input.accountId === null) throw new BadInputError('input.accountId', 'An account is required.', 'REQUIRED');
      const account = input.accountId !== undefined ? (await accountService.require(tctx, input.accountId, 'input.accountId'))! : await em.findOneOrFail(Account, sr.account.id);
      if (input.accountId !== undefined) next.account = account;
      // A new account re-checks the contact and subscription kept from before.
      if (input.contactId !== undefined || input.accountId !== undefined) {
        next.contact = await contactOfAccount(tctx, input.contactId !== undefined ? input.contactId : (sr.contact?.id ?? null), account, 'input.contactId');
      }
      if (input.subscriptionId !== undefined || input.accountId !== undefined) {
        next.subscription = await subscriptionOfAccount(tctx, input.subscriptionId !== undefined ? input.subscriptionId : (sr.subscription?.id ?? null), account, 'input.subscriptionId');
      }
      if (input.subject !== undefined) next.subject = requiredSubject(input.subject);
      if (input.detail !== undefined) next.detail = text(input.detail, 'input.detail', 100_000);
      if (input.product !== undefined) next.product = text(input.product, 'input.product', 300);
      if (input.serialNumber !== undefined) next.serialNumber = text(input.serialNumber, 'input.serialNumber', 100);
      if (input.priorityId !== undefined) next.priority = await priorityOf(tctx, input.priorityId);
      if (input.requestedDate !== undefined) {
        if (!input.requestedDate) throw new BadInputError('input.requestedDate', 'A requested date is required.', 'REQUIRED');
        next.requestedDate = validDate(input.requestedDate, 'input.requestedDate');
      }
      if (input.plannedDate !== undefined) next.plannedDate = input.plannedDate ? validDate(input.plannedDate, 'input.plannedDate') : null;
      if (input.resolutionNote !== undefined) next.resolutionNote = text(input.resolutionNote, 'input.resolutionNote', 100_000);
      const requested = (next.requestedDate as string | undefined) ?? sr.requestedDate;
      const planned = next.plannedDate !== undefined ? (next.plannedDate as string | null) : sr.plannedDate;
      if (planned && planned < requested) {
        throw new BadInputError(input.plannedDate !== undefined ? 'input.plannedDate' : 'input.requestedDate', 'The planned date is before the requested date.', 'DATE_ORDER');
      }
      let changed = false;
      for (const [field, value] of Object.entries(next)) {
        const old = (sr as unknown as Record<string, unknown>)[field];
        if (sameValue(old, value)) continue;
        history(tctx, sr, field, await withLabel(tctx, old), value);
        (sr as unknown as Record<string, unknown>)[field] = value;
        changed = true;
      }
      if (changed) {
        sr.updatedAt = new Date();
        await em.flush();
        await publish(tctx, 'changed', sr);
      }
      return sr;
    });
  },

  /** Moves along an allowed transition; entering a closed stage sets closedAt, leaving one clears it. */
  async changeStage(ctx: Context, id: string, version: number, stageId: string): Promise<ServiceRequest> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const sr = await forWrite(tctx, id, 'changeStage', version);
      const from = await em.findOneOrFail(ServiceStage, sr.stage.id, { populate: ['allowedNext'] });
      const to = await stageById(tctx, stageId, 'stageId');
      if (to.id === from.id) throw new BadInputError('stageId', `The service request is already in ${from.name}.`);
      const allowed = from.allowedNext.getItems();
      if (allowed.length && !allowed.some((s) => s.id === to.id)) {
        throw new BadInputError('stageId', `${from.name} cannot move to ${to.name}. Allowed: ${allowed.map((s) => s.name).join(', ')}.`);
      }
      history(tctx, sr, 'stage', from, to);
      sr.stage = to;
      if (to.closed && !from.closed) {
        sr.closedAt = new Date();
        history(tctx, sr, 'closedAt', null, sr.closedAt);
      } else if (!to.closed && from.closed) {
        history(tctx, sr, 'closedAt', sr.closedAt, null);
        sr.closedAt = null;
      }
      sr.updatedAt = new Date();
      await em.flush();
      await publish(tctx, 'stageChanged', sr);
      return sr;
    });
  },

  /**
   * Reassignment: allowed when the user may assign the service request as it is and as it
   * will be. With the default grants a team leader reassigns within their teams and an
   * agent to themselves, their team or everyone; neither moves work out of their teams.
   */
  async assign(ctx: Context, id: string, version: number, input: ServiceRequestAssignee): Promise<ServiceRequest> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const sr = await forWrite(tctx, id, 'assign', version);
      const next = await resolveAssignee(tctx, input, 'input');
      const after = Object.assign(Object.create(ServiceRequest.prototype) as ServiceRequest, sr, next);
      if (!canOn(ctx.ability, 'assign', SUBJECT, after)) throw new ForbiddenError('You may not assign this service request there: it would leave your teams.', { field: 'input' });
      const label = (a: { assigneeUser?: { name: string } | null; assigneeTeam?: { name: string } | null; assigneeEveryone: boolean }) =>
        a.assigneeEveryone ? 'Herkes' : [a.assigneeTeam?.name, a.assigneeUser?.name].filter(Boolean).join(' / ') || null;
      const before = {
        assigneeUser: sr.assigneeUser ? await em.findOne(User, sr.assigneeUser.id) : null,
        assigneeTeam: sr.assigneeTeam ? await em.findOne(Team, sr.assigneeTeam.id) : null,
        assigneeEveryone: sr.assigneeEveryone,
      };
      if (before.assigneeEveryone === next.assigneeEveryone && before.assigneeUser?.id === next.assigneeUser?.id && before.assigneeTeam?.id === next.assigneeTeam?.id) return sr;
      history(tctx, sr, 'assignee', label(before), label(next));
      Object.assign(sr, next);
      sr.updatedAt = new Date();
      await em.flush();
      await publish(tctx, 'assigned', sr);
      return sr;
    });
  },

  async archive(ctx: Context, id: string): Promise<ServiceRequest> {
    return ctx.em.transactional(async (em) => {
      const tctx = withEm(ctx, em);
      const sr = await findReadable(tctx, ServiceRequest, SUBJECT, parseId(id, 'id'), { forUpdate: true });
      authorize(tctx, 'archive', SUBJECT, sr);
      if (!sr.archivedAt) {
        sr.archivedAt = new Date();
        history(tctx, sr, 'archived', null, sr.archivedAt);
        await em.flush();
        await publish(tctx, 'archived', sr);
      }
      return sr;
    });
  },
};
