import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, Subscription as GqlSubscription } from 'type-graphql';
import type { SqlEntityManager } from '@mikro-orm/postgresql';
import { raw } from '@mikro-orm/core';
import { canOn, restrictWhere, subjectDefinitions } from '../../../api/ability';
import type { Context } from '../../../api/context';
import { crudResolver, relation } from '../../../api/crud';
import type { DomainEvent } from '../../../api/events';
import { parseId } from '../../../api/ids';
import { PageInput, PageOf } from '../../../api/pagination';
import { subscribeToSubject } from '../../../api/subscriptions';
import { Account, Contact, Subscription } from '../../accounts/entities/account.entities';
import { Team } from '../../identity/entities/team.entity';
import { User } from '../../identity/entities/user.entity';
import { Branch, Campaign, ContactChannel, Priority, Project } from '../../reference/entities/reference.entities';
import {
  ApplicationEvent,
  ApplicationFilter,
  ApplicationSort,
  AssigneeInput,
  CreateApplicationInput,
  FollowUpInput,
  SimilarApplication,
  TimeEntryInput,
  UpdateApplicationInput,
} from '../dto/application.input';
import { Application, ApplicationHistory, FollowUp, TimeEntry } from '../entities/application.entities';
import { Category, ProcessStage } from '../entities/classification.entities';
import { applicationService } from '../services/application.service';
import { allCategories, categoryService, pathOf, processStageService } from '../services/classification.service';

const ApplicationPage = PageOf(Application, 'Application');

/** Rows of `entity` per application id, one query for a whole page. */
function perApplication<T extends { application: { id: number } }>(ctx: Context, entity: new () => T, key: string, orderBy: Record<string, 'asc' | 'desc'>) {
  return ctx.loaders.get<number, T[]>(key, async (ids) => {
    const rows = await ctx.em.find(entity, { application: { $in: [...ids] } } as never, { orderBy: orderBy as never });
    return ids.map((id) => rows.filter((r) => r.application.id === id));
  });
}

@Resolver(() => Application)
export class ApplicationResolver {
  @Query(() => ApplicationPage, { description: 'Applications the viewer may read. Totals are exact up to LIST_COUNT_CAP (see totalExact).' })
  applications(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => ApplicationFilter, { nullable: true }) filter?: ApplicationFilter,
    @Arg('sort', () => [ApplicationSort], { nullable: true }) sort?: ApplicationSort[],
    @Arg('page', () => PageInput, { nullable: true }) page?: PageInput,
  ) {
    return applicationService.list(ctx, filter, sort, page, info);
  }

  @Query(() => Application)
  application(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return applicationService.get(ctx, id);
  }

  @Query(() => [SimilarApplication], { description: 'Applications with a similar subject, most similar first.' })
  similarApplications(@Arg('id', () => ID) id: string, @Arg('limit', () => Int, { defaultValue: 10 }) limit: number, @Ctx() ctx: Context) {
    return applicationService.similar(ctx, id, limit);
  }

  @Query(() => [ApplicationHistory], { description: 'Every change, newest first.' })
  applicationHistory(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return applicationService.history(ctx, id);
  }

  @Mutation(() => Application)
  createApplication(@Arg('input') input: CreateApplicationInput, @Ctx() ctx: Context) {
    return applicationService.create(ctx, input);
  }

  @Mutation(() => Application)
  updateApplication(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: UpdateApplicationInput, @Ctx() ctx: Context) {
    return applicationService.update(ctx, id, version, input);
  }

  @Mutation(() => Application, { description: 'Moves along an allowed transition; entering a closed stage sets closedAt. An optional note becomes a follow-up.' })
  changeApplicationStage(
    @Arg('id', () => ID) id: string,
    @Arg('version', () => Int) version: number,
    @Arg('stageId', () => ID) stageId: string,
    @Ctx() ctx: Context,
    @Arg('note', () => String, { nullable: true }) note?: string,
  ) {
    return applicationService.changeStage(ctx, id, version, stageId, note);
  }

  @Mutation(() => Application)
  assignApplication(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: AssigneeInput, @Ctx() ctx: Context) {
    return applicationService.assign(ctx, id, version, input);
  }

  @Mutation(() => Application, { description: 'Applications are never deleted; archived ones leave the lists.' })
  archiveApplication(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return applicationService.archive(ctx, id);
  }

  @Mutation(() => FollowUp)
  addFollowUp(@Arg('applicationId', () => ID) applicationId: string, @Arg('input') input: FollowUpInput, @Ctx() ctx: Context) {
    return applicationService.addFollowUp(ctx, applicationId, input);
  }

  @Mutation(() => FollowUp, { description: 'Its author or an administrator; the previous text is kept in the history.' })
  updateFollowUp(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Arg('input') input: FollowUpInput, @Ctx() ctx: Context) {
    return applicationService.updateFollowUp(ctx, id, version, input);
  }

  @Mutation(() => TimeEntry)
  addTimeEntry(@Arg('applicationId', () => ID) applicationId: string, @Arg('input') input: TimeEntryInput, @Ctx() ctx: Context) {
    return applicationService.addTimeEntry(ctx, applicationId, input);
  }

  @GqlSubscription(() => ApplicationEvent, {
    description: 'Changes to one application (or, without id, to every application the subscriber may read).',
    subscribe: ({ args, context }) => subscribeToSubject(context as Context, 'Application', args.id ? parseId(args.id, 'id') : undefined),
  })
  applicationChanged(@Root() event: DomainEvent & { record: Application }, @Arg('id', () => ID, { nullable: true }) _id?: string): ApplicationEvent {
    return { kind: event.type.split('.')[1], application: event.record };
  }

  // ---- relations: batched per page, and null when the viewer may not read the target ----
  @FieldResolver(() => Account, { nullable: true })
  applicant(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Account, 'Account', a.applicant);
  }

  @FieldResolver(() => Contact, { nullable: true })
  reporter(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Contact, 'Contact', a.reporter);
  }

  @FieldResolver(() => Branch, { nullable: true })
  branch(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Branch, 'Branch', a.branch);
  }

  @FieldResolver(() => Priority, { nullable: true })
  priority(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Priority, 'Priority', a.priority);
  }

  @FieldResolver(() => ProcessStage, { nullable: true })
  stage(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, ProcessStage, 'ProcessStage', a.stage);
  }

  @FieldResolver(() => Category, { nullable: true })
  category(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Category, 'Category', a.category);
  }

  @FieldResolver(() => Category, { nullable: true })
  subcategory(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Category, 'Category', a.subcategory);
  }

  @FieldResolver(() => Category, { nullable: true })
  treeCategory(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Category, 'Category', a.treeCategory);
  }

  @FieldResolver(() => ContactChannel, { nullable: true })
  channel(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, ContactChannel, 'ContactChannel', a.channel);
  }

  @FieldResolver(() => User, { nullable: true })
  assigneeUser(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', a.assigneeUser);
  }

  @FieldResolver(() => Team, { nullable: true })
  assigneeTeam(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Team, 'Team', a.assigneeTeam);
  }

  @FieldResolver(() => User, { nullable: true })
  responsible(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', a.responsible);
  }

  @FieldResolver(() => Project, { nullable: true })
  project(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Project, 'Project', a.project);
  }

  @FieldResolver(() => Campaign, { nullable: true })
  campaign(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Campaign, 'Campaign', a.campaign);
  }

  @FieldResolver(() => Subscription, { nullable: true })
  subscription(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, Subscription, 'Subscription', a.subscription);
  }

  @FieldResolver(() => User, { nullable: true })
  createdBy(@Root() a: Application, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', a.createdBy);
  }

  @FieldResolver(() => [FollowUp], { description: 'Newest first.' })
  followUps(@Root() a: Application, @Ctx() ctx: Context) {
    return perApplication(ctx, FollowUp, 'Application.followUps', { notedAt: 'desc', id: 'desc' }).load(a.id);
  }

  @FieldResolver(() => [TimeEntry], { description: 'Newest first.' })
  timeEntries(@Root() a: Application, @Ctx() ctx: Context) {
    return perApplication(ctx, TimeEntry, 'Application.timeEntries', { date: 'desc', id: 'desc' }).load(a.id);
  }

  @FieldResolver(() => [ApplicationHistory], { description: 'Every change, newest first.' })
  history(@Root() a: Application, @Ctx() ctx: Context) {
    return perApplication(ctx, ApplicationHistory, 'Application.history', { at: 'desc', id: 'desc' }).load(a.id);
  }
}

@Resolver(() => FollowUp)
export class FollowUpResolver {
  @FieldResolver(() => User, { nullable: true })
  author(@Root() f: FollowUp, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', f.author);
  }

  @FieldResolver(() => ID)
  applicationId(@Root() f: FollowUp) {
    return f.application.id;
  }
}

@Resolver(() => TimeEntry)
export class TimeEntryResolver {
  @FieldResolver(() => User, { nullable: true })
  user(@Root() t: TimeEntry, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', t.user);
  }

  @FieldResolver(() => ID)
  applicationId(@Root() t: TimeEntry) {
    return t.application.id;
  }
}

/**
 * A history entry about a linked record shows that record's label (title, file name) only
 * to viewers who may read the record; others see `#id`, as with the link itself.
 */
async function visibleValue(ctx: Context, h: ApplicationHistory, value: string | null | undefined): Promise<string | null> {
  if (value === null || value === undefined || !h.refType || !h.refId) return value ?? null;
  const entity = subjectDefinitions.get(h.refType)?.entity;
  const row = entity ? await ctx.loaders.byId(entity as never).load(h.refId) : null;
  return row && canOn(ctx.ability, 'read', h.refType, row as object) ? value : `#${h.refId}`;
}

@Resolver(() => ApplicationHistory)
export class ApplicationHistoryResolver {
  @FieldResolver(() => User, { nullable: true })
  actor(@Root() h: ApplicationHistory, @Ctx() ctx: Context) {
    return relation(ctx, User, 'User', h.actor);
  }

  @FieldResolver(() => String, { nullable: true })
  oldValue(@Root() h: ApplicationHistory, @Ctx() ctx: Context) {
    return visibleValue(ctx, h, h.oldValue);
  }

  @FieldResolver(() => String, { nullable: true })
  newValue(@Root() h: ApplicationHistory, @Ctx() ctx: Context) {
    return visibleValue(ctx, h, h.newValue);
  }
}

// ---- classification ----
export const ProcessStageCrudResolver = crudResolver(processStageService);
export const CategoryCrudResolver = crudResolver(categoryService);

@Resolver(() => ProcessStage)
export class ProcessStageResolver {
  @FieldResolver(() => [ProcessStage], { description: 'Stages it may move to; empty means any.' })
  async allowedNext(@Root() s: ProcessStage, @Ctx() ctx: Context) {
    const rows = await ctx.loaders
      .get<number, number[]>('ProcessStage.allowedNext', async (ids) => {
        const r = await ctx.em.execute<{ from_stage_id: number; to_stage_id: number }[]>(
          `select from_stage_id, to_stage_id from process_stage_transitions where from_stage_id = any(?::int[])`,
          [`{${ids.join(',')}}`],
        );
        return ids.map((id) => r.filter((x) => Number(x.from_stage_id) === id).map((x) => Number(x.to_stage_id)));
      })
      .load(s.id);
    const stages = await ctx.loaders.byId(ProcessStage).loadMany(rows);
    return stages.filter((x): x is ProcessStage => !!x && !(x instanceof Error));
  }
}

@Resolver(() => Category)
export class CategoryResolver {
  @FieldResolver(() => Category, { nullable: true })
  async parent(@Root() c: Category, @Ctx() ctx: Context) {
    if (!c.parent) return null;
    return (await allCategories(ctx)).find((x) => x.id === c.parent!.id) ?? null;
  }

  @FieldResolver(() => [Category], { description: 'Direct children, in order (archived ones left out).' })
  async children(@Root() c: Category, @Ctx() ctx: Context) {
    return (await allCategories(ctx)).filter((x) => x.parent?.id === c.id && !x.archivedAt);
  }

  @FieldResolver(() => [Category], { description: 'From the level 1 category down to this node.' })
  async path(@Root() c: Category, @Ctx() ctx: Context) {
    return pathOf(await allCategories(ctx), c.id);
  }
}

// ---- time spent and applications as seen from accounts, subscriptions and projects ----
type Owner = 'account' | 'subscription' | 'project';

/**
 * Minutes per owner, counting only time on applications the viewer may read (a total
 * never reveals work the viewer cannot see). One query for a whole page of owners.
 */
function timeTotals(ctx: Context, owner: Owner) {
  return ctx.loaders.get<number, number>(`time:${owner}`, async (ids) => {
    const appWhere = restrictWhere<Application>(ctx.ability, 'read', 'Application', {});
    if (!appWhere) return ids.map(() => 0);
    const qb = (ctx.em as SqlEntityManager)
      .createQueryBuilder(TimeEntry, 't')
      .select([raw(`t.${owner}_id as owner`), raw('sum(t.minutes)::int as minutes')])
      .where({ [owner]: { $in: [...ids] } });
    if (Object.keys(appWhere).length) qb.andWhere({ application: appWhere });
    qb.groupBy(`t.${owner}_id`);
    const rows = (await qb.execute('all', false)) as { owner: number; minutes: number }[];
    const map = new Map(rows.map((r) => [Number(r.owner), Number(r.minutes)]));
    return ids.map((id) => map.get(id) ?? 0);
  });
}

/** Applications per applicant that the viewer may read, as counts (open and all). */
function applicationCounts(ctx: Context) {
  return ctx.loaders.get<number, { open: number; total: number }>('Account.applicationCounts', async (ids) => {
    const where = restrictWhere<Application>(ctx.ability, 'read', 'Application', { applicant: { $in: [...ids] }, archivedAt: null });
    if (!where) return ids.map(() => ({ open: 0, total: 0 }));
    const qb = (ctx.em as SqlEntityManager)
      .createQueryBuilder(Application, 'a')
      .select([raw('a.applicant_id as owner'), raw('count(*)::int as total'), raw('count(*) filter (where a.closed_at is null)::int as open')])
      .where(where as never)
      .groupBy('a.applicant_id');
    const rows = (await qb.execute('all', false)) as { owner: number; total: number; open: number }[];
    const map = new Map(rows.map((r) => [Number(r.owner), { open: Number(r.open), total: Number(r.total) }]));
    return ids.map((id) => map.get(id) ?? { open: 0, total: 0 });
  });
}

@Resolver(() => Account)
export class AccountApplicationsResolver {
  @FieldResolver(() => Int, { description: 'Minutes spent on this account\'s applications (those you may read).' })
  timeSpentMinutes(@Root() a: Account, @Ctx() ctx: Context) {
    return timeTotals(ctx, 'account').load(a.id);
  }

  @FieldResolver(() => Int, { description: 'Open applications of this account that you may read.' })
  async openApplicationCount(@Root() a: Account, @Ctx() ctx: Context) {
    return (await applicationCounts(ctx).load(a.id)).open;
  }

  @FieldResolver(() => Int, { description: 'Applications of this account that you may read.' })
  async applicationCount(@Root() a: Account, @Ctx() ctx: Context) {
    return (await applicationCounts(ctx).load(a.id)).total;
  }

  @FieldResolver(() => ApplicationPage, { description: 'This account\'s applications that you may read (for detail views).' })
  applications(@Root() a: Account, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo, @Arg('page', () => PageInput, { nullable: true }) page?: PageInput) {
    return applicationService.list(ctx, { applicantIds: [String(a.id)] }, undefined, page, info);
  }
}

@Resolver(() => Subscription)
export class SubscriptionTimeResolver {
  @FieldResolver(() => Int, { description: 'Minutes spent on applications of this subscription (those you may read).' })
  timeSpentMinutes(@Root() s: Subscription, @Ctx() ctx: Context) {
    return timeTotals(ctx, 'subscription').load(s.id);
  }
}

@Resolver(() => Project)
export class ProjectTimeResolver {
  @FieldResolver(() => Int, { description: 'Minutes spent on applications of this project (those you may read).' })
  timeSpentMinutes(@Root() p: Project, @Ctx() ctx: Context) {
    return timeTotals(ctx, 'project').load(p.id);
  }
}

