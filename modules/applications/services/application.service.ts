import { raw, type FilterQuery } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import type { GraphQLResolveInfo } from 'graphql';
import { assertCanWriteInput, canOn } from '../../../api/ability';
import { assertVersion, authorize, findReadable, scoped, type Context, withEm } from '../../../api/context';
import { BadInputError, ForbiddenError, NotFoundError } from '../../../api/errors';
import { likePattern, parseId, parseIds, searchFold } from '../../../api/ids';
import { direction, paginate, selects, type PageInput } from '../../../api/pagination';
import { Account } from '../../accounts/entities/account.entities';
import { accountIdsMatching, accountService, contactOfAccount, regionResponsibleOf, subscriptionOfAccount } from '../../accounts/services/account.services';
import { ExtraFieldTarget } from '../../extra-fields/entities/extra-field-definition.entity';
import { extraValueWhere, validateExtraValues } from '../../extra-fields/services/extra-field.service';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { loadPrincipal } from '../../identity/services/auth.service';
import { requireActiveUser, resolveAssignee } from '../../identity/services/assignee.service';
import { ContactChannel, Priority } from '../../reference/entities/reference.entities';
import { branchService, campaignService, contactChannelService, priorityService, projectService } from '../../reference/services/reference.services';
import type { ApplicationFilter, ApplicationSort, AssigneeInput, CreateApplicationInput, FollowUpInput, TimeEntryInput, UpdateApplicationInput } from '../dto/application.input';
import { Application, ApplicationHistory, FollowUp, TimeEntry } from '../entities/application.entities';
import { ProcessStage } from '../entities/classification.entities';
import { allCategories, pathOf, subtreeIds } from './classification.service';
import { historyValue, sameValue, withLabel } from '../../../api/history';

const SUBJECT = 'Application';

/** Input keys → entity fields, for field rules and history. */
const FIELD_OF: Record<string, string> = {
  applicantId: 'applicant',
  reporterId: 'reporter',
  branchId: 'branch',
  priorityId: 'priority',
  categoryId: 'category',
  subcategoryId: 'subcategory',
  treeCategoryId: 'treeCategory',
  channelId: 'channel',
  responsibleId: 'responsible',
  projectId: 'project',
  campaignId: 'campaign',
  subscriptionId: 'subscription',
  stageId: 'stage',
  assignee: 'assignee',
};
const fieldOf = (k: string) => FIELD_OF[k] ?? k;



export function history(em: SqlEntityManager, app: Application, actor: User | null, field: string, oldValue: unknown, newValue: unknown, ref?: { type: string; id: number }): void {
  em.create(ApplicationHistory, { application: app, actor, field, oldValue: historyValue(oldValue), newValue: historyValue(newValue), refType: ref?.type ?? null, refId: ref?.id ?? null });
}

/** 2026-000123: the next number of the year, from a counter row locked by the upsert. */
async function nextNumber(em: SqlEntityManager, date: Date): Promise<string> {
  const year = date.getUTCFullYear();
  const [row] = await em.execute<{ last: number }[]>(
    `insert into application_counters (year, last) values (?, 1)
     on conflict (year) do update set last = application_counters.last + 1 returning last`,
    [year],
  );
  return `${year}-${String(row.last).padStart(6, '0')}`;
}

/** Category, subcategory and tree category: each under the one before, chosen from active nodes. */
async function classification(ctx: Context, categoryId: string | null | undefined, subcategoryId: string | null | undefined, treeCategoryId: string | null | undefined) {
  const all = await allCategories(ctx);
  const byId = new Map(all.map((c) => [c.id, c]));
  const pick = (id: string | null | undefined, field: string) => {
    if (id === null || id === undefined || id === '') return null;
    const c = byId.get(parseId(id, field));
    if (!c || c.archivedAt) throw new BadInputError(field, `No such category: ${id}.`, 'NOT_FOUND_REFERENCE');
    if (!c.active) throw new BadInputError(field, `${c.name} is inactive and cannot be chosen.`, 'INACTIVE_REFERENCE');
    return c;
  };
  const category = pick(categoryId, 'input.categoryId');
  if (!category) throw new BadInputError('input.categoryId', 'A category is required.', 'REQUIRED');
  if (category.level !== 1) throw new BadInputError('input.categoryId', `${category.name} is not a level 1 category.`);
  const subcategory = pick(subcategoryId, 'input.subcategoryId');
  if (subcategory && (subcategory.level !== 2 || subcategory.parent?.id !== category.id)) {
    throw new BadInputError('input.subcategoryId', `${subcategory.name} is not a subcategory of ${category.name}.`);
  }
  const tree = pick(treeCategoryId, 'input.treeCategoryId');
  if (tree) {
    if (!subcategory) throw new BadInputError('input.treeCategoryId', 'A tree category needs a subcategory.');
    if (tree.level < 3 || !pathOf(all, tree.id).some((c) => c.id === subcategory.id)) {
      throw new BadInputError('input.treeCategoryId', `${tree.name} is not under ${subcategory.name}.`);
    }
  }
  const ids = [category.id, subcategory?.id, tree ? pathOf(all, tree.id).map((c) => c.id) : []].flat().filter((x): x is number => !!x);
  return { category, subcategory, treeCategory: tree, categoryIds: [...new Set(ids)] };
}





async function defaultOf<T extends Priority | ContactChannel>(ctx: Context, entity: new () => T, field: string): Promise<T> {
  const row = (await ctx.em.findOne(entity, { isDefault: true, archivedAt: null } as never)) ?? (await ctx.em.findOne(entity, { archivedAt: null, active: true } as never, { orderBy: { sortOrder: 'asc' } as never }));
  if (!row) throw new BadInputError(field, 'None is configured; an administrator must create one.');
  return row as T;
}

async function stageById(ctx: Context, id: string | null | undefined, field: string): Promise<ProcessStage> {
  if (id) {
    const s = await ctx.em.findOne(ProcessStage, { id: parseId(id, field), archivedAt: null });
    if (!s) throw new BadInputError(field, `No such stage: ${id}.`, 'NOT_FOUND_REFERENCE');
    return s;
  }
  const initial = (await ctx.em.findOne(ProcessStage, { isInitial: true, archivedAt: null })) ?? (await ctx.em.findOne(ProcessStage, { archivedAt: null, closed: false }, { orderBy: { sortOrder: 'asc' } }));
  if (!initial) throw new BadInputError(field, 'No process stage is configured; an administrator must create one.');
  return initial;
}

/** Loads an application for a write: readable (else NOT_FOUND), not archived, right version. */
export async function forWrite(ctx: Context, id: string, action: string, version?: number, field = 'id'): Promise<Application> {
  const app = await findReadable(ctx, Application, SUBJECT, parseId(id, field), { forUpdate: true, field });
  if (app.archivedAt) throw new BadInputError(field, `Application ${app.number} is archived.`, 'ARCHIVED');
  authorize(ctx, action, SUBJECT, app);
  if (version !== undefined) assertVersion(SUBJECT, app, version);
  return app;
}

export async function publish(ctx: Context, em: SqlEntityManager, type: string, app: Application) {
  await ctx.events.publish(em, { type: `Application.${type}`, subject: SUBJECT, id: app.id, actorId: ctx.user?.id, data: { applicantId: app.applicant.id } });
}

/** A range filter on a date column. */
function range(field: string, r: { from?: Date; to?: Date } | undefined): FilterQuery<Application>[] {
  if (!r || (!r.from && !r.to)) return [];
  const cond: Record<string, Date> = {};
  if (r.from) cond.$gte = r.from;
  if (r.to) cond.$lt = r.to;
  return [{ [field]: cond } as FilterQuery<Application>];
}

const SORT_PATHS: Record<string, (d: 'asc' | 'desc' | string) => Record<string, unknown>> = {
  priority: (d) => ({ priority: { sortOrder: d } }),
  stage: (d) => ({ stage: { sortOrder: d } }),
  applicant: (d) => ({ applicant: { name: d } }),
  category: (d) => ({ category: { name: d } }),
};

export const applicationService = {
  /** The list's filter as conditions (checked first; a factory, see paginate). */
  async where(ctx: Context, f: ApplicationFilter = {}): Promise<() => FilterQuery<Application> | null> {
    const ids = (v: string[] | undefined, field: string) => (v?.length ? parseIds(v, field) : undefined);
    const p = {
      ids: ids(f.ids, 'filter.ids'),
      applicants: ids(f.applicantIds, 'filter.applicantIds'),
      reporter: f.reporterId ? parseId(f.reporterId, 'filter.reporterId') : undefined,
      branches: ids(f.branchIds, 'filter.branchIds'),
      priorities: ids(f.priorityIds, 'filter.priorityIds'),
      stages: ids(f.stageIds, 'filter.stageIds'),
      channels: ids(f.channelIds, 'filter.channelIds'),
      users: ids(f.assigneeUserIds, 'filter.assigneeUserIds'),
      teams: ids(f.assigneeTeamIds, 'filter.assigneeTeamIds'),
      responsible: f.responsibleId ? parseId(f.responsibleId, 'filter.responsibleId') : undefined,
      projects: ids(f.projectIds, 'filter.projectIds'),
      campaigns: ids(f.campaignIds, 'filter.campaignIds'),
      subscription: f.subscriptionId ? parseId(f.subscriptionId, 'filter.subscriptionId') : undefined,
      createdBy: f.createdById ? parseId(f.createdById, 'filter.createdById') : undefined,
    };
    // Categories: a node matches its whole subtree, at the level it lives on.
    let categoryConds: FilterQuery<Application>[] | undefined;
    if (f.categoryIds?.length) {
      const all = await allCategories(ctx);
      categoryConds = parseIds(f.categoryIds, 'filter.categoryIds').map((id, i) => {
        const c = all.find((x) => x.id === id);
        if (!c) throw new BadInputError(`filter.categoryIds.${i}`, `No such category: ${id}.`, 'NOT_FOUND_REFERENCE');
        if (c.level === 1) return { category: id };
        if (c.level === 2) return { subcategory: id };
        return { treeCategory: { $in: subtreeIds(all, id) } };
      });
    }
    const term = f.search?.trim();
    const applicantMatches = term ? await accountIdsMatching(ctx, term, 5000) : [];
    const extra = await extraValueWhere<Application>(ctx, ExtraFieldTarget.APPLICATION, f.extra);
    return () => {
      const w: FilterQuery<Application>[] = [];
      if (!f.includeArchived) w.push({ archivedAt: null });
      if (p.ids) w.push({ id: { $in: p.ids } });
      if (p.applicants) w.push({ applicant: { $in: p.applicants } });
      if (p.reporter) w.push({ reporter: p.reporter });
      if (p.branches) w.push({ branch: { $in: p.branches } });
      if (p.priorities) w.push({ priority: { $in: p.priorities } });
      if (p.stages) w.push({ stage: { $in: p.stages } });
      if (f.closed === true) w.push({ closedAt: { $ne: null } });
      if (f.closed === false) w.push({ closedAt: null });
      if (categoryConds) w.push(categoryConds.length === 1 ? categoryConds[0] : { $or: categoryConds });
      if (p.channels) w.push({ channel: { $in: p.channels } });
      if (p.users) w.push({ assigneeUser: { $in: p.users } });
      if (p.teams) w.push({ assigneeTeam: { $in: p.teams } });
      if (f.assignedToEveryone !== undefined && f.assignedToEveryone !== null) w.push({ assigneeEveryone: f.assignedToEveryone });
      if (f.unassigned) w.push({ assigneeUser: null, assigneeTeam: null, assigneeEveryone: false });
      if (p.responsible) w.push({ responsible: p.responsible });
      if (p.projects) w.push({ project: { $in: p.projects } });
      if (p.campaigns) w.push({ campaign: { $in: p.campaigns } });
      if (p.subscription) w.push({ subscription: p.subscription });
      if (p.createdBy) w.push({ createdBy: p.createdBy });
      if (f.referenceNo?.trim()) w.push({ referenceNo: f.referenceNo.trim() });
      w.push(...range('applicationDate', f.applicationDate), ...range('acceptanceDate', f.acceptanceDate), ...range('closedAt', f.closedAt), ...range('createdAt', f.createdAt));
      if (term) {
        const pattern = likePattern(searchFold(term));
        const ors: FilterQuery<Application>[] = [
          { [raw((a) => `tr_fold(${a}.subject || ' ' || coalesce(${a}.detail, ''))`)]: { $like: pattern } } as FilterQuery<Application>,
          { number: { $like: likePattern(term) } },
        ];
        if (applicantMatches.length) ors.push({ applicant: { $in: applicantMatches } });
        w.push({ $or: ors });
      }
      w.push(...extra());
      return scoped<Application>(ctx, 'read', SUBJECT, w.length ? { $and: w } : {});
    };
  },

  /**
   * The list's rows as a query: the permission-restricted filter (a factory, see paginate)
   * and the order, ending with id. Exports stream the same rows the list pages through.
   */
  async listQuery(ctx: Context, filter: ApplicationFilter | undefined, sort: ApplicationSort[] | undefined) {
    const whereOf = await applicationService.where(ctx, filter);
    const orderBy = (sort?.length ? sort : [{ field: 'applicationDate', direction: 'DESC' }]).map((s) => {
      const d = direction(s.direction as never);
      return SORT_PATHS[s.field] ? SORT_PATHS[s.field](d) : { [s.field]: d };
    });
    if (!orderBy.some((o) => 'id' in o)) orderBy.push({ id: direction(undefined) });
    return { whereOf, orderBy };
  },

  async list(ctx: Context, filter: ApplicationFilter | undefined, sort: ApplicationSort[] | undefined, page: PageInput | undefined, info?: GraphQLResolveInfo) {
    const { whereOf, orderBy: order } = await applicationService.listQuery(ctx, filter, sort);
    // Sorting by a relation's column needs that relation loaded (cursors read its value).
    const populate = (sort ?? []).map((s) => s.field as string).filter((f) => f in SORT_PATHS);
    return paginate(ctx.em, Application, whereOf, {
      page,
      populate: populate.length ? populate : undefined,
      orderBy: order as never,
      countCap: ctx.config.LIST_COUNT_CAP,
      wantTotal: selects(info, 'total', 'totalExact'),
      wantItems: selects(info, 'items', 'pageInfo'),
    });
  },

  get(ctx: Context, id: string | number) {
    return findReadable(ctx, Application, SUBJECT, typeof id === 'number' ? id : parseId(id, 'id'));
  },

  async create(ctx: Context, input: CreateApplicationInput): Promise<Application> {
    authorize(ctx, 'create', SUBJECT);
    assertCanWriteInput(ctx.ability, 'create', SUBJECT, null, input, fieldOf);
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const applicant = (await accountService.require(tctx, input.applicantId, 'input.applicantId'))!;
      const cls = await classification(tctx, input.categoryId, input.subcategoryId, input.treeCategoryId);
      const stage = await stageById(tctx, input.stageId, 'input.stageId');
      const assigned = await resolveAssignee(tctx, input.assignee);
      const responsible = input.responsibleId ? await requireActiveUser(tctx, input.responsibleId, 'input.responsibleId') : await regionResponsibleOf(tctx, applicant).then((id) => (id ? em.getReference(User, id) : null));
      const applicationDate = input.applicationDate ?? new Date();
      if (input.acceptanceDate && input.acceptanceDate < applicationDate) throw new BadInputError('input.acceptanceDate', 'The acceptance date is before the application date.', 'DATE_ORDER');
      const app = em.create(Application, {
        number: await nextNumber(em as SqlEntityManager, applicationDate),
        applicant,
        reporter: await contactOfAccount(tctx, input.reporterId, applicant, 'input.reporterId'),
        branch: await branchService.require(tctx, input.branchId, 'input.branchId'),
        priority: (await priorityService.require(tctx, input.priorityId, 'input.priorityId')) ?? (await defaultOf(tctx, Priority, 'input.priorityId')),
        stage,
        category: cls.category,
        subcategory: cls.subcategory,
        treeCategory: cls.treeCategory,
        channel: (await contactChannelService.require(tctx, input.channelId, 'input.channelId')) ?? (await defaultOf(tctx, ContactChannel, 'input.channelId')),
        referenceNo: input.referenceNo?.trim() || null,
        applicationDate,
        acceptanceDate: input.acceptanceDate ?? null,
        ...assigned,
        responsible,
        project: await projectService.require(tctx, input.projectId, 'input.projectId'),
        campaign: await campaignService.require(tctx, input.campaignId, 'input.campaignId'),
        subscription: await subscriptionOfAccount(tctx, input.subscriptionId, applicant, 'input.subscriptionId'),
        extra: await validateExtraValues(tctx, ExtraFieldTarget.APPLICATION, input.extra, {}, { categoryIds: cls.categoryIds }),
        subject: input.subject.trim(),
        detail: input.detail ?? null,
        createdBy: ctx.user ? em.getReference(User, ctx.user.id) : null,
        closedAt: stage.closed ? new Date() : null,
      });
      await em.flush();
      history(em as SqlEntityManager, app, ctx.user, 'created', null, app.number);
      await em.flush();
      await publish(ctx, em as SqlEntityManager, 'created', app);
      return app;
    });
  },

  async update(ctx: Context, id: string, version: number, input: UpdateApplicationInput): Promise<Application> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const app = await forWrite(tctx, id, 'update', version);
      assertCanWriteInput(ctx.ability, 'update', SUBJECT, app, input, fieldOf);
      const next: Record<string, unknown> = {};
      const applicant = input.applicantId !== undefined ? (await accountService.require(tctx, input.applicantId, 'input.applicantId'))! : await em.findOneOrFail(Account, app.applicant.id);
      if (input.applicantId !== undefined) next.applicant = applicant;
      if (input.reporterId !== undefined || input.applicantId !== undefined) {
        next.reporter = await contactOfAccount(tctx, input.reporterId !== undefined ? input.reporterId : app.reporter ? String(app.reporter.id) : null, applicant, 'input.reporterId');
      }
      if (input.subscriptionId !== undefined || input.applicantId !== undefined) {
        next.subscription = await subscriptionOfAccount(tctx, input.subscriptionId !== undefined ? input.subscriptionId : app.subscription ? String(app.subscription.id) : null, applicant, 'input.subscriptionId');
      }
      const classifying = input.categoryId !== undefined || input.subcategoryId !== undefined || input.treeCategoryId !== undefined;
      let categoryIds: number[];
      if (classifying) {
        const keep = (given: string | null | undefined, current: { id: number } | null | undefined) => (given !== undefined ? given : current ? String(current.id) : null);
        // Changing the category alone clears the levels below it.
        const categoryId = keep(input.categoryId, app.category);
        const categoryChanged = input.categoryId !== undefined && parseId(input.categoryId, 'input.categoryId') !== app.category.id;
        const subcategoryId = input.subcategoryId !== undefined ? input.subcategoryId : categoryChanged ? null : keep(undefined, app.subcategory);
        const subChanged = input.subcategoryId !== undefined && (input.subcategoryId ? parseId(input.subcategoryId, 'input.subcategoryId') : null) !== (app.subcategory?.id ?? null);
        const treeId = input.treeCategoryId !== undefined ? input.treeCategoryId : categoryChanged || subChanged ? null : keep(undefined, app.treeCategory);
        const cls = await classification(tctx, categoryId, subcategoryId, treeId);
        Object.assign(next, { category: cls.category, subcategory: cls.subcategory, treeCategory: cls.treeCategory });
        categoryIds = cls.categoryIds;
      } else {
        const all = await allCategories(tctx);
        const deepest = app.treeCategory?.id ?? app.subcategory?.id ?? app.category.id;
        categoryIds = pathOf(all, deepest).map((c) => c.id);
      }
      if (input.branchId !== undefined) next.branch = await branchService.require(tctx, input.branchId, 'input.branchId');
      if (input.priorityId !== undefined) next.priority = await priorityService.require(tctx, input.priorityId, 'input.priorityId');
      if (input.channelId !== undefined) next.channel = await contactChannelService.require(tctx, input.channelId, 'input.channelId');
      if (input.projectId !== undefined) next.project = await projectService.require(tctx, input.projectId, 'input.projectId');
      if (input.campaignId !== undefined) next.campaign = await campaignService.require(tctx, input.campaignId, 'input.campaignId');
      if (input.responsibleId !== undefined) next.responsible = await requireActiveUser(tctx, input.responsibleId, 'input.responsibleId');
      if (input.referenceNo !== undefined) next.referenceNo = input.referenceNo?.trim() || null;
      if (input.applicationDate !== undefined) next.applicationDate = input.applicationDate;
      if (input.acceptanceDate !== undefined) next.acceptanceDate = input.acceptanceDate;
      if (input.subject !== undefined) next.subject = input.subject.trim();
      if (input.detail !== undefined) next.detail = input.detail;
      if (input.extra !== undefined || classifying) next.extra = await validateExtraValues(tctx, ExtraFieldTarget.APPLICATION, input.extra, app.extra, { categoryIds });
      const appDate = (next.applicationDate as Date | undefined) ?? app.applicationDate;
      const accDate = next.acceptanceDate !== undefined ? (next.acceptanceDate as Date | null) : app.acceptanceDate;
      if (accDate && accDate < appDate) throw new BadInputError('input.acceptanceDate', 'The acceptance date is before the application date.', 'DATE_ORDER');
      let changed = false;
      for (const [field, value] of Object.entries(next)) {
        const old = (app as unknown as Record<string, unknown>)[field];
        if (sameValue(old, value)) continue;
        history(em as SqlEntityManager, app, ctx.user, field, await withLabel(tctx, old), value);
        (app as unknown as Record<string, unknown>)[field] = value;
        changed = true;
      }
      if (changed) {
        app.updatedAt = new Date();
        await em.flush();
        await publish(ctx, em as SqlEntityManager, 'changed', app);
      }
      return app;
    });
  },

  async changeStage(ctx: Context, id: string, version: number, stageId: string, note?: string | null): Promise<Application> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const app = await forWrite(tctx, id, 'changeStage', version);
      const from = await em.findOneOrFail(ProcessStage, app.stage.id, { populate: ['allowedNext'] });
      const to = await stageById(tctx, stageId, 'stageId');
      if (to.id === from.id) throw new BadInputError('stageId', `The application is already in ${from.name}.`);
      if (!to.active) throw new BadInputError('stageId', `${to.name} is inactive.`, 'INACTIVE_REFERENCE');
      const allowed = from.allowedNext.getItems();
      if (allowed.length && !allowed.some((s) => s.id === to.id)) {
        throw new BadInputError('stageId', `${from.name} cannot move to ${to.name}. Allowed: ${allowed.map((s) => s.name).join(', ')}.`);
      }
      history(em as SqlEntityManager, app, ctx.user, 'stage', from, to);
      app.stage = to;
      if (to.closed && !from.closed) {
        app.closedAt = new Date();
        history(em as SqlEntityManager, app, ctx.user, 'closedAt', null, app.closedAt);
      } else if (!to.closed && from.closed) {
        history(em as SqlEntityManager, app, ctx.user, 'closedAt', app.closedAt, null);
        app.closedAt = null;
      }
      if (note?.trim()) await addFollowUpIn(tctx, app, { text: note.trim() });
      app.updatedAt = new Date();
      await em.flush();
      await publish(ctx, em as SqlEntityManager, 'stageChanged', app);
      return app;
    });
  },

  /**
   * Reassignment: allowed when the user may assign the application as it is and as it will
   * be. With the default grants a team leader reassigns within their teams and an agent
   * to themselves, their team or everyone; neither moves work out of their teams.
   */
  async assign(ctx: Context, id: string, version: number, input: AssigneeInput): Promise<Application> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const app = await forWrite(tctx, id, 'assign', version);
      const next = await resolveAssignee(tctx, input, 'input');
      const after = Object.assign(Object.create(Application.prototype) as Application, app, next);
      if (!canOn(ctx.ability, 'assign', SUBJECT, after)) throw new ForbiddenError('You may not assign this application there: it would leave your teams.', { field: 'input' });
      const label = (a: { assigneeUser?: { name: string } | null; assigneeTeam?: { name: string } | null; assigneeEveryone: boolean }) =>
        a.assigneeEveryone ? 'Herkes' : [a.assigneeTeam?.name, a.assigneeUser?.name].filter(Boolean).join(' / ') || null;
      const before = {
        assigneeUser: app.assigneeUser ? await em.findOne(User, app.assigneeUser.id) : null,
        assigneeTeam: app.assigneeTeam ? await em.findOne(Team, app.assigneeTeam.id) : null,
        assigneeEveryone: app.assigneeEveryone,
      };
      if (label(before) === label(next) && before.assigneeUser?.id === next.assigneeUser?.id && before.assigneeTeam?.id === next.assigneeTeam?.id) return app;
      history(em as SqlEntityManager, app, ctx.user, 'assignee', label(before), label(next));
      Object.assign(app, next);
      app.updatedAt = new Date();
      await em.flush();
      await publish(ctx, em as SqlEntityManager, 'assigned', app);
      return app;
    });
  },

  async archive(ctx: Context, id: string): Promise<Application> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const app = await findReadable(tctx, Application, SUBJECT, parseId(id, 'id'), { forUpdate: true });
      authorize(tctx, 'archive', SUBJECT, app);
      if (!app.archivedAt) {
        app.archivedAt = new Date();
        history(em as SqlEntityManager, app, ctx.user, 'archived', null, app.archivedAt);
        await em.flush();
        await publish(ctx, em as SqlEntityManager, 'archived', app);
      }
      return app;
    });
  },

  async addFollowUp(ctx: Context, applicationId: string, input: FollowUpInput): Promise<FollowUp> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const app = await forWrite(tctx, applicationId, 'addFollowUp');
      const f = await addFollowUpIn(tctx, app, input);
      await em.flush();
      await publish(ctx, em as SqlEntityManager, 'followUpAdded', app);
      return f;
    });
  },

  /** Edits a follow-up: its author or whoever may manage follow-ups; the old text stays in history. */
  async updateFollowUp(ctx: Context, id: string, version: number, input: FollowUpInput): Promise<FollowUp> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const f = await em.findOne(FollowUp, { id: parseId(id, 'id') });
      if (!f) throw new NotFoundError('FollowUp', id, 'id');
      const app = await findReadable(tctx, Application, SUBJECT, f.application.id, { forUpdate: true }).catch(() => {
        throw new NotFoundError('FollowUp', id, 'id');
      });
      authorize(tctx, 'update', 'FollowUp', f);
      assertVersion('FollowUp', f, version);
      if (f.text !== input.text) history(em as SqlEntityManager, app, ctx.user, `followUp#${f.id}`, f.text, input.text);
      f.text = input.text;
      if (input.notedAt) f.notedAt = input.notedAt;
      f.editedAt = new Date();
      f.updatedAt = new Date();
      await em.flush();
      await publish(ctx, em as SqlEntityManager, 'changed', app);
      return f;
    });
  },

  async addTimeEntry(ctx: Context, applicationId: string, input: TimeEntryInput): Promise<TimeEntry> {
    return ctx.em.transactional(async (em) => {
      const tctx: Context = withEm(ctx, em);
      const app = await forWrite(tctx, applicationId, 'addTime');
      if (!ctx.user) throw new BadInputError('input.userId', 'Time is logged by a signed-in user.');
      let user = ctx.user;
      if (input.userId && parseId(input.userId, 'input.userId') !== ctx.user?.id) {
        const other = await requireActiveUser(tctx, input.userId, 'input.userId');
        const principal = ctx.principal ?? (await loadPrincipal(em as SqlEntityManager, ctx.user!.id));
        const allOk = canOn(ctx.ability, 'assign', SUBJECT, Object.assign(Object.create(Application.prototype), app, { assigneeUser: other, assigneeTeam: null, assigneeEveryone: false }));
        if (!allOk || (!ctx.ability.can('manage', 'all') && !principal.teamMemberIds.includes(other!.id))) {
          throw new ForbiddenError('You may log time only for yourself or members of your teams.', { field: 'input.userId' });
        }
        user = other!;
      }
      const date = input.date ?? new Date().toISOString().slice(0, 10);
      if (Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new BadInputError('input.date', 'Not a valid date.', 'INVALID_DATE');
      if (date > new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)) throw new BadInputError('input.date', 'Time cannot be logged for a future day.');
      // One user's time on one day is at most 24 hours (locked per user against parallel inserts).
      await em.execute('select pg_advisory_xact_lock(?, ?)', [771, user.id]);
      const [{ total }] = await em.execute<{ total: number }[]>('select coalesce(sum(minutes), 0)::int as total from time_entries where user_id = ? and date = ?', [user.id, date]);
      if (total + input.minutes > 1440) {
        throw new BadInputError('input.minutes', `${user.name} already has ${total} minutes on ${date}; one day holds at most 1440.`);
      }
      const entry = em.create(TimeEntry, {
        application: app,
        user,
        date,
        minutes: input.minutes,
        note: input.note?.trim() || null,
        account: app.applicant,
        subscription: app.subscription ?? null,
        project: app.project ?? null,
      });
      app.timeSpentMinutes += input.minutes;
      history(em as SqlEntityManager, app, ctx.user, 'timeEntry', null, `${input.minutes} min (${user.name}, ${date})`);
      await em.flush();
      await publish(ctx, em as SqlEntityManager, 'timeAdded', app);
      return entry;
    });
  },

  /** Others whose subject is similar (trigram similarity), among those the user may read. */
  async similar(ctx: Context, id: string, limit = 10): Promise<{ application: Application; similarity: number }[]> {
    const app = await applicationService.get(ctx, id);
    const where = scoped<Application>(ctx, 'read', SUBJECT, { id: { $ne: app.id }, archivedAt: null });
    if (!where) return [];
    const qb = (ctx.em as SqlEntityManager)
      .createQueryBuilder(Application, 'a')
      .select(['a.id', raw('similarity(tr_fold(a.subject), tr_fold(?)) as sim', [app.subject])])
      .where(where as never)
      .andWhere(raw('tr_fold(a.subject) % tr_fold(?)', [app.subject]))
      .orderBy({ [raw('sim')]: 'desc', id: 'desc' })
      .limit(Math.min(Math.max(limit, 1), 50));
    const rows = (await qb.execute('all', false)) as { id: number; sim: number }[];
    if (!rows.length) return [];
    const apps = await ctx.em.find(Application, { id: { $in: rows.map((r) => r.id) } });
    const byId = new Map(apps.map((a) => [a.id, a]));
    return rows.filter((r) => byId.has(r.id)).map((r) => ({ application: byId.get(r.id)!, similarity: Math.round(Number(r.sim) * 1000) / 1000 }));
  },

  async history(ctx: Context, id: string): Promise<ApplicationHistory[]> {
    const app = await applicationService.get(ctx, id);
    return ctx.em.find(ApplicationHistory, { application: app.id }, { orderBy: { at: 'desc', id: 'desc' } });
  },
};

/** An application by its number (`2026-000123`) if the user may read it (mail threading). */
export async function findApplicationByNumber(ctx: Context, number: string): Promise<Application | null> {
  const where = scoped<Application>(ctx, 'read', SUBJECT, { number });
  return where ? ctx.em.findOne(Application, where) : null;
}

/**
 * Reopens a closed application into the initial stage (a customer wrote again and the
 * mailbox allows reopening). Inside the caller's transaction; no stage-flow check.
 */
export async function reopenIn(ctx: Context, app: Application): Promise<void> {
  if (!app.closedAt) return;
  const to = await stageById(ctx, null, 'stageId');
  const from = await ctx.em.findOneOrFail(ProcessStage, app.stage.id);
  history(ctx.em, app, ctx.user, 'stage', from, to);
  history(ctx.em, app, ctx.user, 'closedAt', app.closedAt, null);
  app.stage = to;
  app.closedAt = null;
  app.updatedAt = new Date();
  await ctx.em.flush();
  await publish(ctx, ctx.em, 'stageChanged', app);
}

async function addFollowUpIn(ctx: Context, app: Application, input: FollowUpInput): Promise<FollowUp> {
  const f = ctx.em.create(FollowUp, { application: app, author: ctx.user ? ctx.em.getReference(User, ctx.user.id) : null, notedAt: input.notedAt ?? new Date(), text: input.text.trim() });
  app.followUpCount += 1;
  history(ctx.em, app, ctx.user, 'followUp', null, input.text.trim().slice(0, 200));
  return f;
}


